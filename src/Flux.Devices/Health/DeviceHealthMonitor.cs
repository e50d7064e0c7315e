using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Flux.Devices.Diagnostics;
using Flux.Devices.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.Notifications;
using Flux.Devices.Storage;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Health;

/// <summary>
/// The health monitor: a poll per device on the device's own schedule, bounded in concurrency, with every deadline
/// and delay on the injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// The loop keeps a due time per device and starts each poll when it falls due, without waiting for other polls:
/// a stalled device holds its own concurrency slot until its deadline and delays no one else. Before each poll the
/// device is read again from the store, so that a device another process put into maintenance or decommissioned is
/// not touched. Samples go through a bounded queue to one writer that sends them to the store in batches.
/// </remarks>
internal sealed class DeviceHealthMonitor : IDeviceHealthMonitor, IAsyncDisposable, IDisposable
{
    private const string Actor = "health-monitor";

    private static readonly DeviceFilter Pollable = new()
    {
        States = [DeviceState.Configured, DeviceState.Testing, DeviceState.Active],
        Active = true,
    };

    private readonly IDeviceStore _store;
    private readonly IDeviceRegistry _registry;
    private readonly IModbusTransport _transport;
    private readonly bool _ownsTransport;
    private readonly DeviceHealthOptions _options;
    private readonly NotificationDispatcher _notifications;
    private readonly IDeviceHealthObserver[] _observers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HealthMetrics _metrics;
    private readonly ConcurrentDictionary<Guid, PollTarget> _targets = new();
    private readonly SemaphoreSlim _slots;
    private readonly Lock _wakeLock = new();
    private TaskCompletionSource _wake = NewWake();
    private Channel<DeviceHealthSample>? _pending;
    private int _running;

    public DeviceHealthMonitor(
        IDeviceStore store,
        IDeviceRegistry registry,
        (IModbusTransport Transport, bool Owned) transport,
        DeviceHealthOptions options,
        NotificationDispatcher notifications,
        IEnumerable<IDeviceHealthObserver> observers,
        TimeProvider time,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        _store = store;
        _registry = registry;
        (_transport, _ownsTransport) = transport;
        _options = options;
        _notifications = notifications;
        _observers = [.. observers];
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.HealthCategory);
        _metrics = new HealthMetrics(meterFactory, CountByStatus);
        _slots = new SemaphoreSlim(options.MaxConcurrentPolls, options.MaxConcurrentPolls);
    }

    /// <summary>Called by the loop each time it goes to sleep, with the time it will wake at (tests advance a fake clock on it).</summary>
    internal Action<DateTimeOffset>? Sleeping { get; set; }

    public async ValueTask<IReadOnlyList<DeviceHealthSample>> CheckAsync(DeviceFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var devices = await _store.ListAsync(Pollable, cancellationToken).ConfigureAwait(false);
        var targets = new List<PollTarget>(devices.Count);
        var added = false;
        foreach (var device in devices)
        {
            if (filter is null || filter.Matches(device))
            {
                targets.Add(Track(device, _time.GetUtcNow(), ref added));
            }
        }

        if (added)
        {
            await SeedAsync(cancellationToken).ConfigureAwait(false);
        }

        var polls = new Task<DeviceHealthSample?>[targets.Count];
        for (var i = 0; i < targets.Count; i++)
        {
            polls[i] = PollOrSkipAsync(targets[i], cancellationToken);
        }

        var results = await Task.WhenAll(polls).ConfigureAwait(false);
        var samples = new List<DeviceHealthSample>(results.Length);
        foreach (var sample in results)
        {
            if (sample is not null)
            {
                samples.Add(sample);
            }
        }

        for (var start = 0; start < samples.Count; start += _options.SampleBatchSize)
        {
            await _store.AppendHealthAsync(samples.GetRange(start, Math.Min(_options.SampleBatchSize, samples.Count - start)), cancellationToken).ConfigureAwait(false);
        }

        return samples;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The health monitor is already running.");
        }

        var pending = Channel.CreateBounded<DeviceHealthSample>(
            new BoundedChannelOptions(_options.MaxPendingSamples) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => _metrics.Dropped(1));
        _pending = pending;
        var writer = WriteSamplesAsync(pending.Reader);
        var polls = new ConcurrentDictionary<Task, bool>();
        try
        {
            await ScheduleAsync(polls, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of the loop.
        }
        finally
        {
            try
            {
                await Task.WhenAll(polls.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                _pending = null;
                pending.Writer.Complete();
                await writer.ConfigureAwait(false);
                Volatile.Write(ref _running, 0);
            }
        }
    }

    public IReadOnlyList<DeviceHealth> GetLatest()
    {
        var latest = new List<DeviceHealth>(_targets.Count);
        foreach (var target in _targets.Values)
        {
            if (target.Latest is { } health)
            {
                latest.Add(health);
            }
        }

        latest.Sort(static (a, b) => NameOrder.Compare(a.DeviceName, b.DeviceName));
        return latest;
    }

    private async Task ScheduleAsync(ConcurrentDictionary<Task, bool> polls, CancellationToken cancellationToken)
    {
        var nextRefresh = DateTimeOffset.MinValue;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var wake = ResetWake();
            var now = _time.GetUtcNow();
            if (now >= nextRefresh)
            {
                await RefreshAsync(now, cancellationToken).ConfigureAwait(false);
                nextRefresh = now + _options.RefreshInterval;
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
                    var scheduled = target.NextDue;
                    target.NextDue = PollTarget.NextSlot(scheduled, target.Interval, now);
                    var poll = RunPollAsync(target, cancellationToken);
                    polls.TryAdd(poll, true);
                    _ = poll.ContinueWith(static (task, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(task, out _), polls, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                if (target.NextDue < sleepUntil)
                {
                    sleepUntil = target.NextDue;
                }
            }

            await SleepAsync(sleepUntil, wake, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunPollAsync(PollTarget target, CancellationToken cancellationToken)
    {
        // Off the scheduler's thread at once: a poll that completes synchronously (a refused connect on loopback, a
        // configuration problem) must not hold up the other devices due now.
        await Task.Yield();
        try
        {
            var sample = await PollOrSkipAsync(target, cancellationToken).ConfigureAwait(false);
            if (sample is not null)
            {
                _pending?.Writer.TryWrite(sample);
            }
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

    private async ValueTask RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<Device> devices;
        try
        {
            devices = await _store.ListAsync(Pollable, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HealthRefreshFailed(_logger, ex);
            return;
        }

        var listed = new HashSet<Guid>(devices.Count);
        var added = false;
        foreach (var device in devices)
        {
            listed.Add(device.Id);
            Track(device, now, ref added);
        }

        foreach (var target in _targets.Values)
        {
            if (!listed.Contains(target.DeviceId) && !target.InFlight)
            {
                _targets.TryRemove(target.DeviceId, out _);
            }
        }

        if (added)
        {
            await SeedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Finds or adds the target of a device; a new one is due at once.</summary>
    private PollTarget Track(Device device, DateTimeOffset now, ref bool added)
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
            target.Update(device, _options);
            if (target.Interval != interval && target.NextDue > now + target.Interval)
            {
                target.NextDue = now + target.Interval;
            }
        }

        return target;
    }

    /// <summary>Carries error counts and last good polls of devices new to this monitor from the store's newest samples.</summary>
    private async ValueTask SeedAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<DeviceHealthSample> latest;
        try
        {
            latest = await _store.ListLatestHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HealthRefreshFailed(_logger, ex);
            return;
        }

        foreach (var sample in latest)
        {
            if (_targets.TryGetValue(sample.DeviceId, out var target) && target.LastTimestamp is null && target.Latest is null)
            {
                target.Seed(sample);
            }
        }
    }

    /// <summary>Polls one device; when the store fails under the poll, logs it and gives no sample (the next poll tries again).</summary>
    private async Task<DeviceHealthSample?> PollOrSkipAsync(PollTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await PollAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PollAborted(_logger, ex, target.DeviceId);
            return null;
        }
    }

    /// <summary>Polls one device, unless it is already being polled or should no longer be.</summary>
    private async ValueTask<DeviceHealthSample?> PollAsync(PollTarget target, CancellationToken cancellationToken)
    {
        if (!target.TryBegin())
        {
            return null;
        }

        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await PollOwnedAsync(target, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }
        finally
        {
            target.End();
        }
    }

    private async ValueTask<DeviceHealthSample?> PollOwnedAsync(PollTarget target, CancellationToken cancellationToken)
    {
        var device = await _store.GetAsync(target.DeviceId, cancellationToken).ConfigureAwait(false);
        if (device is null || !Pollable.Matches(device))
        {
            _targets.TryRemove(target.DeviceId, out _);
            return null;
        }

        target.Update(device, _options);
        if (device.State == DeviceState.Configured)
        {
            device = await FireAsync(device, DeviceTrigger.PollAttempted, "First poll attempt", cancellationToken).ConfigureAwait(false);
            if (device.State != DeviceState.Testing)
            {
                return null;
            }

            target.Update(device, _options);
        }

        var timestamp = _time.GetStoredNow();
        if (target.LastTimestamp is { } last && timestamp <= last)
        {
            // Two polls within a microsecond (only a stopped test clock does that): keep the series' keys unique.
            timestamp = last.AddTicks(10);
        }

        var started = _time.GetTimestamp();
        var outcome = await ReadAsync(target, cancellationToken).ConfigureAwait(false);
        var sample = Record(target, timestamp, outcome);
        _metrics.Polled(sample.Status, _time.GetElapsedTime(started), outcome.ErrorKind);
        if (sample.Status == DeviceHealthStatus.Offline)
        {
            Log.PollFailed(_logger, device.Name, device.Id, outcome.Attempts, outcome.Error);
        }

        try
        {
            device = await ApplyLifecycleAsync(target, device, sample, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The sample stands; the lifecycle move is tried again on the next poll (the device is still in its state).
            Log.PollAborted(_logger, ex, device.Id);
        }

        target.Latest = new DeviceHealth { DeviceId = device.Id, DeviceName = device.Name, State = device.State, Sample = sample };
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnSampledAsync(device, sample, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.HealthObserverFailed(_logger, ex, observer.GetType().Name, device.Name);
            }
        }

        return sample;
    }

    /// <summary>Reads the device's registers, attempt after attempt, each within the device's timeout.</summary>
    private async ValueTask<PollOutcome> ReadAsync(PollTarget target, CancellationToken cancellationToken)
    {
        if (target.Problem is { } problem)
        {
            return new PollOutcome(false, TimeSpan.Zero, 0, HealthErrorKind.Configuration, problem, null);
        }

        var outcome = default(PollOutcome);
        for (var attempt = 1; attempt <= target.Retries + 1; attempt++)
        {
            var started = _time.GetTimestamp();
            using var deadline = new CancellationTokenSource(target.Timeout, _time);
            using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
            try
            {
                await target.Plan.PollAsync(_transport, target.Endpoint, target.UnitId, deadline.Token).ConfigureAwait(false);
                return outcome with { Succeeded = true, Elapsed = _time.GetElapsedTime(started), Attempts = attempt };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = new PollOutcome(false, default, attempt, HealthErrorKind.Timeout, $"no reply within {Maintenance.DurationText.Format(target.Timeout)}", null);
            }
            catch (ModbusException ex)
            {
                outcome = new PollOutcome(false, default, attempt, HealthErrorKind.DeviceException, ex.Message, (int)ex.Code);
                if (!ex.IsTransient)
                {
                    break; // The device refuses the request itself (a wrong map): asking again changes nothing.
                }
            }
            catch (FluxDevicesException ex)
            {
                outcome = new PollOutcome(false, default, attempt, Classify(ex), ex.Message, null);
            }
        }

        return outcome;
    }

    private static HealthErrorKind Classify(FluxDevicesException exception) => exception switch
    {
        ModbusTimeoutException => HealthErrorKind.Timeout,
        ModbusProtocolException => HealthErrorKind.Protocol,
        _ => HealthErrorKind.Transport,
    };

    /// <summary>Turns an outcome into the device's next sample, carrying its counters.</summary>
    private DeviceHealthSample Record(PollTarget target, DateTimeOffset timestamp, PollOutcome outcome)
    {
        target.LastTimestamp = timestamp;
        if (!outcome.Succeeded)
        {
            target.ErrorCount++;
            return new DeviceHealthSample
            {
                DeviceId = target.DeviceId,
                Timestamp = timestamp,
                Status = DeviceHealthStatus.Offline,
                ErrorCount = target.ErrorCount,
                LastSuccessfulPoll = target.LastSuccess,
                Diagnostics = new HealthDiagnostics { ErrorKind = outcome.ErrorKind, Error = outcome.Error, ExceptionCode = outcome.ExceptionCode, Attempts = outcome.Attempts },
            };
        }

        target.ErrorCount = 0;
        target.LastSuccess = timestamp;
        var slow = outcome.Elapsed > _options.DegradedThreshold;
        var retried = outcome.Attempts > 1;
        return new DeviceHealthSample
        {
            DeviceId = target.DeviceId,
            Timestamp = timestamp,
            Status = slow || retried ? DeviceHealthStatus.Degraded : DeviceHealthStatus.Online,
            ResponseTimeMs = (int)Math.Min(int.MaxValue, Math.Round(outcome.Elapsed.TotalMilliseconds)),
            ErrorCount = 0,
            LastSuccessfulPoll = timestamp,
            Diagnostics = slow || retried
                ? new HealthDiagnostics { ErrorKind = outcome.ErrorKind, Error = outcome.Error, ExceptionCode = outcome.ExceptionCode, Attempts = outcome.Attempts }
                : null,
        };
    }

    /// <summary>The lifecycle's "Verify communication" and "Enable telemetry" / "Alert operator", and offline notices of active devices.</summary>
    private async ValueTask<Device> ApplyLifecycleAsync(PollTarget target, Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
    {
        var online = sample.Status != DeviceHealthStatus.Offline;
        if (device.State == DeviceState.Testing)
        {
            target.OfflineReported = false;
            return online
                ? await FireAsync(device, DeviceTrigger.PollSucceeded, $"Poll succeeded in {sample.ResponseTimeMs} ms", cancellationToken).ConfigureAwait(false)
                : await FireAsync(device, DeviceTrigger.PollFailed, sample.Diagnostics?.Error ?? "poll failed", cancellationToken).ConfigureAwait(false);
        }

        if (device.State == DeviceState.Active && online == target.OfflineReported)
        {
            var notification = online
                ? new Notification { Kind = NotificationKind.DeviceRecovered, Severity = NotificationSeverity.Information, DeviceId = device.Id, DeviceName = device.Name, Message = $"Device {device.Name} is answering again", Timestamp = sample.Timestamp }
                : new Notification { Kind = NotificationKind.DeviceOffline, Severity = NotificationSeverity.Warning, DeviceId = device.Id, DeviceName = device.Name, Message = $"Device {device.Name} is offline: {sample.Diagnostics?.Error}", Timestamp = sample.Timestamp };
            await _notifications.SendAsync(notification, cancellationToken).ConfigureAwait(false);
            target.OfflineReported = !online;
        }

        return device;
    }

    /// <summary>Fires a poll trigger; when the device moved meanwhile and no longer permits it, keeps the device as it now is.</summary>
    private async ValueTask<Device> FireAsync(Device device, DeviceTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        try
        {
            return await _registry.FireAsync(device.Id, trigger, reason, Actor, expectedVersion: null, metadata: null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidLifecycleTransitionException)
        {
            Log.PollTransitionSkipped(_logger, device.Id, trigger);
            return await _store.GetAsync(device.Id, cancellationToken).ConfigureAwait(false) ?? device;
        }
    }

    /// <summary>The single writer: sends waiting samples to the store in batches, as fast as it takes them.</summary>
    private async Task WriteSamplesAsync(ChannelReader<DeviceHealthSample> reader)
    {
        var batch = new List<DeviceHealthSample>(Math.Min(_options.SampleBatchSize, 1024));
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < _options.SampleBatchSize && reader.TryRead(out var sample))
            {
                batch.Add(sample);
            }

            await WriteBatchAsync([.. batch]).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async ValueTask WriteBatchAsync(List<DeviceHealthSample> batch)
    {
        while (batch.Count > 0)
        {
            try
            {
                await _store.AppendHealthAsync(batch, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (DeviceNotFoundException ex) when (ex.DeviceId is { } gone && batch.Exists(s => s.DeviceId == gone))
            {
                // A device deleted behind the monitor's back: write the others.
                _metrics.Dropped(batch.RemoveAll(s => s.DeviceId == gone));
            }
            catch (AlreadyExistsException) when (batch.Count > 1)
            {
                // One sample's timestamp is taken: write them one by one, so that only that one is lost.
                foreach (var sample in batch)
                {
                    await WriteBatchAsync([sample]).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.HealthWriteFailed(_logger, ex, batch.Count);
                _metrics.Dropped(batch.Count);
                return;
            }
        }
    }

    private async ValueTask SleepAsync(DateTimeOffset until, Task wake, CancellationToken cancellationToken)
    {
        var delay = until - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(delay, _time, stop.Token);
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

    private void Wake()
    {
        lock (_wakeLock)
        {
            _wake.TrySetResult();
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        if (_ownsTransport && _transport is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Disposes the transport the monitor owns, as <see cref="DisposeAsync"/> does, for a container disposed with
    /// <c>Dispose()</c>: synchronously when the transport can (the Modbus TCP client can), else by waiting for its
    /// <see cref="IAsyncDisposable.DisposeAsync"/> on the thread pool, away from any synchronisation context.
    /// </summary>
    public void Dispose()
    {
        if (!_ownsTransport)
        {
            return;
        }

        if (_transport is IDisposable synchronous)
        {
            synchronous.Dispose();
        }
        else if (_transport is IAsyncDisposable disposable)
        {
            Task.Run(() => disposable.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        }
    }

    private int[] CountByStatus()
    {
        var counts = new int[3];
        foreach (var target in _targets.Values)
        {
            if (target.Latest is { } health)
            {
                counts[(int)health.Sample.Status]++;
            }
        }

        return counts;
    }

    private readonly record struct PollOutcome(bool Succeeded, TimeSpan Elapsed, int Attempts, HealthErrorKind? ErrorKind, string? Error, int? ExceptionCode);
}
