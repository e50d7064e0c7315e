using System.Collections.Concurrent;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// The devices the monitor polls and when: a <see cref="PollTarget"/> per device with its due time, and the loop that
/// starts each poll when it falls due, without waiting for other polls, and sleeps on the clock until the next due time,
/// the next refresh of the device list, or the end of a poll, whichever comes first.
/// </summary>
/// <remarks>
/// The poll marks its target in flight (<see cref="PollTarget.TryBegin"/>), so that a poll on demand and the loop's never
/// overlap. A device in flight is not started again and is left out of the loop's sleep (its next due time, on the grid of
/// its first poll, was set when its poll started); the end of every poll wakes the loop to schedule it again.
/// </remarks>
internal sealed class PollScheduler(DeviceHealthOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, PollTarget> _targets = new();
    private readonly Lock _wakeLock = new();
    private TaskCompletionSource _wake = NewWake();

    /// <summary>Called each time the loop goes to sleep, with the time it will wake at (tests advance a fake clock on it).</summary>
    public Action<DateTimeOffset>? Sleeping { get; set; }

    /// <summary>Called with each device the monitor stops polling (forgotten, or no longer listed).</summary>
    public Action<Guid>? Forgotten { get; set; }

    /// <summary>Gets or sets how often the loop calls its refresh; the default is <see cref="DeviceHealthOptions.RefreshInterval"/>.</summary>
    public TimeSpan RefreshInterval { get; set; } = options.RefreshInterval;

    /// <summary>Whether the device is being polled now.</summary>
    public bool IsInFlight(Guid deviceId) => _targets.TryGetValue(deviceId, out var target) && target.InFlight;

    /// <summary>Whether the device's poll is under way: it has its poll slot (a poll waiting for one is in flight, not polling).</summary>
    public bool IsPolling(Guid deviceId) => _targets.TryGetValue(deviceId, out var target) && target.Polling;

    /// <summary>The devices known to the monitor.</summary>
    public ICollection<PollTarget> Targets => _targets.Values;

    /// <summary>Finds or adds the target of a device; a new one is due at once. A target not being polled takes the device's new configuration.</summary>
    /// <param name="device">The device, as the store has it now.</param>
    /// <param name="now">The time on the clock.</param>
    /// <param name="added">Set when the device is new to the monitor.</param>
    public PollTarget Track(Device device, DateTimeOffset now, ref bool added)
    {
        if (!_targets.TryGetValue(device.Id, out var target))
        {
            target = _targets.GetOrAdd(device.Id, static id => new PollTarget(id));
            target.NextDue = now;
            added = true;
        }

        if (!target.InFlight)
        {
            var interval = target.Interval;
            target.Update(device, options);
            if (target.Interval != interval && target.NextDue > now + target.Interval)
            {
                // A shorter interval applies from now, not after the longer one.
                target.NextDue = now + target.Interval;
            }
        }

        return target;
    }

    /// <summary>Takes the store's list of pollable devices: tracks each, and forgets those not listed (unless being polled).</summary>
    /// <returns>Whether a device is new to the monitor.</returns>
    public bool Reconcile(IReadOnlyList<Device> devices, DateTimeOffset now)
    {
        var listed = new HashSet<Guid>(devices.Count);
        var added = false;
        foreach (var device in devices)
        {
            listed.Add(device.Id);
            Track(device, now, ref added);
        }

        foreach (var target in _targets.Values)
        {
            if (!listed.Contains(target.DeviceId) && !target.InFlight && _targets.TryRemove(target.DeviceId, out _))
            {
                Forgotten?.Invoke(target.DeviceId);
            }
        }

        return added;
    }

    /// <summary>Forgets a device that should no longer be polled.</summary>
    public void Forget(Guid deviceId)
    {
        _targets.TryRemove(deviceId, out _);
        Forgotten?.Invoke(deviceId);
    }

    /// <summary>Carries error counts and last good polls of devices new to this monitor (never polled by it) from the store's newest samples.</summary>
    /// <param name="latest">The newest sample of each device.</param>
    /// <param name="keepInterval">
    /// Whether the first poll waits for the device's interval since its newest sample (with leases: a device taken over
    /// from another instance is not polled again sooner than its interval after that instance's last poll).
    /// </param>
    /// <param name="acquiredAt">
    /// With leases: when the monitor took a device. A device polled before (it has a sample) is first polled no sooner
    /// than its interval after that either: the previous owner's last poll started before it, but its sample may not be
    /// stored yet (a paused or slow instance whose lease ran out).
    /// </param>
    public void Seed(IReadOnlyList<DeviceHealthSample> latest, bool keepInterval = false, Func<Guid, DateTimeOffset?>? acquiredAt = null)
    {
        foreach (var sample in latest)
        {
            if (_targets.TryGetValue(sample.DeviceId, out var target) && target.LastTimestamp is null && target.Latest is null)
            {
                target.Seed(sample);
                if (keepInterval && !target.InFlight && sample.Timestamp + target.Interval > target.NextDue)
                {
                    target.NextDue = sample.Timestamp + target.Interval;
                }

                if (!target.InFlight && acquiredAt?.Invoke(sample.DeviceId) is { } since && since + target.Interval > target.NextDue)
                {
                    target.NextDue = since + target.Interval;
                }
            }
        }
    }

    /// <summary>
    /// Runs the loop until cancelled: refreshes the device list every <see cref="DeviceHealthOptions.RefreshInterval"/>,
    /// starts the poll of each device that falls due (off the loop's thread), and returns when every poll it started has ended.
    /// </summary>
    /// <param name="refresh">Reads the device list again (<see cref="Reconcile"/>); given the time on the clock.</param>
    /// <param name="poll">Polls one device.</param>
    /// <param name="cancellationToken">Stops the loop and the polls.</param>
    public async Task RunAsync(
        Func<DateTimeOffset, CancellationToken, ValueTask> refresh,
        Func<PollTarget, CancellationToken, Task> poll,
        CancellationToken cancellationToken)
    {
        var polls = new ConcurrentDictionary<Task, bool>();
        try
        {
            var nextRefresh = DateTimeOffset.MinValue;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var wake = ResetWake();
                var now = time.GetUtcNow();
                if (now >= nextRefresh)
                {
                    await refresh(now, cancellationToken).ConfigureAwait(false);
                    nextRefresh = now + RefreshInterval;
                }

                var sleepUntil = nextRefresh;
                foreach (var target in _targets.Values)
                {
                    if (target.InFlight)
                    {
                        continue;
                    }

                    if (target.NextDue <= now)
                    {
                        target.NextDue = PollTarget.NextSlot(target.NextDue, target.Interval, now);
                        var running = RunPollAsync(target, poll, cancellationToken);
                        polls.TryAdd(running, true);
                        _ = running.ContinueWith(static (task, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(task, out _), polls, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }

                    if (target.NextDue < sleepUntil)
                    {
                        sleepUntil = target.NextDue;
                    }
                }

                await SleepAsync(sleepUntil, wake, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of the loop.
        }
        finally
        {
            await Task.WhenAll(polls.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Wakes the loop to schedule again.</summary>
    public void Wake()
    {
        lock (_wakeLock)
        {
            _wake.TrySetResult();
        }
    }

    private async Task RunPollAsync(PollTarget target, Func<PollTarget, CancellationToken, Task> poll, CancellationToken cancellationToken)
    {
        // Off the loop's thread at once: a poll that completes synchronously (a refused connect on loopback, a
        // configuration problem) must not hold up the other devices due now.
        await Task.Yield();
        try
        {
            await poll(target, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The loop is stopping.
        }
        finally
        {
            // Always: the loop left this device out of its sleep while it was in flight.
            Wake();
        }
    }

    private async ValueTask SleepAsync(DateTimeOffset until, Task wake, CancellationToken cancellationToken)
    {
        var delay = until - time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(delay, time, stop.Token);
        Sleeping?.Invoke(until);
        await Task.WhenAny(timer, wake).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private Task ResetWake()
    {
        lock (_wakeLock)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = NewWake();
            }

            return _wake.Task;
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
