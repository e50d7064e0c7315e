using Flux.Devices.Diagnostics;
using Flux.Devices.Lifecycle;
using Flux.Devices.Notifications;
using Flux.Devices.Storage;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// The lifecycle moves polls drive: the lifecycle's "Verify communication" (a configured device is tested by its first
/// poll), "Enable telemetry" / "Alert operator" (the test's result), a Failed device's return when a probe is answered
/// (Failed → Testing → Active), and the offline and recovered notices of active devices.
/// </summary>
/// <remarks>
/// The moves of concurrent polls are written together (a group commit): the first move starts a write of its own; the
/// moves that come while a write is under way wait for it and are written by the next one, as one batch of the registry
/// (<see cref="DeviceRegistry.FireManyAsync"/>, one store transaction). A fleet's first polls (Configured → Testing →
/// Active, two moves per device) so cost a few transactions rather than two per device. With leases, each move carries
/// the fencing token its poll holds; a batch the store refuses for some devices is written again without them, and their
/// polls get the refusal (<see cref="LeaseLostException"/>) as a move of their own would. A move the batch could not make
/// (the device changed meanwhile) is fired alone, as before.
/// </remarks>
internal sealed class HealthLifecycle(IDeviceRegistry registry, IDeviceStore store, NotificationDispatcher notifications, ILogger logger)
{
    private const string Actor = "health-monitor";

    private readonly DeviceRegistry? _batches = registry as DeviceRegistry;
    private readonly Lock _lock = new();
    private List<PendingMove> _pending = [];
    private bool _writing;

    /// <summary>Before a poll: moves a configured device to <see cref="DeviceState.Testing"/> (its first poll attempt).</summary>
    /// <returns>The device to poll, or <see langword="null"/> when it could not move to testing (it moved meanwhile).</returns>
    public async ValueTask<Device?> BeginAsync(Device device, CancellationToken cancellationToken)
    {
        if (device.State != DeviceState.Configured)
        {
            return device;
        }

        device = await FireAsync(device, DeviceTrigger.PollAttempted, "First poll attempt", cancellationToken).ConfigureAwait(false);
        return device.State == DeviceState.Testing ? device : null;
    }

    /// <summary>
    /// After a poll: ends a device's test (<see cref="DeviceState.Active"/> or <see cref="DeviceState.Failed"/>), or
    /// notifies once when an active device goes offline and once when it answers again. When the registry or a notifier
    /// fails, logs it: the sample stands, and the move is tried again on the next poll (the device is still in its state).
    /// </summary>
    /// <returns>The device as it is after the move.</returns>
    public async ValueTask<Device> ApplyAsync(PollTarget target, Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
    {
        try
        {
            return await MoveAsync(target, device, sample, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not LeaseLostException)
        {
            Log.PollAborted(logger, ex, device.Id);
            return device;
        }
    }

    private async ValueTask<Device> MoveAsync(PollTarget target, Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
    {
        var online = sample.Status != DeviceHealthStatus.Offline;
        if (device.State == DeviceState.Testing)
        {
            target.OfflineReported = false;
            return online
                ? await FireAsync(device, DeviceTrigger.PollSucceeded, $"Poll succeeded in {sample.ResponseTimeMs} ms", cancellationToken).ConfigureAwait(false)
                : await FireAsync(device, DeviceTrigger.PollFailed, sample.Diagnostics?.Error ?? "poll failed", cancellationToken).ConfigureAwait(false);
        }

        if (device.State == DeviceState.Failed)
        {
            return online ? await RecoverAsync(target, device, sample, cancellationToken).ConfigureAwait(false) : device;
        }

        if (device.State == DeviceState.Active && online == target.OfflineReported)
        {
            var notification = online
                ? new Notification { Kind = NotificationKind.DeviceRecovered, Severity = NotificationSeverity.Information, DeviceId = device.Id, DeviceName = device.Name, Message = $"Device {device.Name} is answering again", Timestamp = sample.Timestamp }
                : new Notification { Kind = NotificationKind.DeviceOffline, Severity = NotificationSeverity.Warning, DeviceId = device.Id, DeviceName = device.Name, Message = $"Device {device.Name} is offline: {sample.Diagnostics?.Error}", Timestamp = sample.Timestamp };
            await notifications.SendAsync(notification, cancellationToken).ConfigureAwait(false);
            target.OfflineReported = !online;
        }

        return device;
    }

    /// <summary>
    /// A failed device that answered a probe: <see cref="DeviceTrigger.Retry"/> (Failed → Testing), and the probe is the
    /// test's successful poll (Testing → Active); both moves are recorded with the probe's response time. The operator, who
    /// was alerted when it failed, is told it is back.
    /// </summary>
    private async ValueTask<Device> RecoverAsync(PollTarget target, Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
    {
        device = await FireAsync(device, DeviceTrigger.Retry, $"Failed device answered a probe in {sample.ResponseTimeMs} ms", cancellationToken).ConfigureAwait(false);
        if (device.State != DeviceState.Testing)
        {
            return device;
        }

        target.OfflineReported = false;
        device = await FireAsync(device, DeviceTrigger.PollSucceeded, $"Poll succeeded in {sample.ResponseTimeMs} ms", cancellationToken).ConfigureAwait(false);
        if (device.State == DeviceState.Active)
        {
            await notifications.SendAsync(
                new Notification { Kind = NotificationKind.DeviceRecovered, Severity = NotificationSeverity.Information, DeviceId = device.Id, DeviceName = device.Name, Message = $"Device {device.Name} is answering again: Failed -> Testing -> Active", Timestamp = sample.Timestamp },
                cancellationToken).ConfigureAwait(false);
        }

        return device;
    }

    /// <summary>Fires a poll trigger; when the device moved meanwhile and no longer permits it, keeps the device as it now is.</summary>
    private async ValueTask<Device> FireAsync(Device device, DeviceTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        if (_batches is not null && await BatchAsync(device, trigger, reason, cancellationToken).ConfigureAwait(false) is { } moved)
        {
            return moved;
        }

        try
        {
            return await registry.FireAsync(device.Id, trigger, reason, Actor, expectedVersion: null, metadata: null, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidLifecycleTransitionException)
        {
            Log.PollTransitionSkipped(logger, device.Id, trigger);
            return await store.GetAsync(device.Id, cancellationToken).ConfigureAwait(false) ?? device;
        }
    }

    /// <summary>Queues a move for the next batch and waits for it; <see langword="null"/> when the batch could not make it.</summary>
    private Task<Device?> BatchAsync(Device device, DeviceTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        long? token = DeviceLeaseFence.Current is { } fence && fence.TryGetValue(device.Id, out var held) ? held : null;
        var move = new PendingMove(device, trigger, reason, token, new TaskCompletionSource<Device?>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_lock)
        {
            _pending.Add(move);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            // Off the poll's flow: the writer enters the fence of each batch itself.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(WriteBatchesAsync, CancellationToken.None);
            }
        }

        return move.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued, batch after batch, until nothing is; one device's second move waits for the next batch.</summary>
    private async Task WriteBatchesAsync()
    {
        while (true)
        {
            List<PendingMove> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                var seen = new HashSet<Guid>();
                batch = [];
                var later = new List<PendingMove>();
                foreach (var move in _pending)
                {
                    (seen.Add(move.Device.Id) ? batch : later).Add(move);
                }

                _pending = later;
            }

            await WriteBatchAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task WriteBatchAsync(List<PendingMove> batch)
    {
        while (batch.Count > 0)
        {
            var tokens = new Dictionary<Guid, long>();
            foreach (var move in batch)
            {
                if (move.Token is { } token)
                {
                    tokens[move.Device.Id] = token;
                }
            }

            try
            {
                Device?[] moved;
                using (tokens.Count == 0 ? null : DeviceLeaseFence.Enter(tokens))
                {
                    moved = await _batches!.FireManyAsync([.. batch.Select(m => (m.Device, m.Trigger, m.Reason))], Actor, CancellationToken.None).ConfigureAwait(false);
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(moved[i]);
                }

                return;
            }
            catch (LeaseLostException ex) when (ex.DeviceIds.Count > 0)
            {
                // Refused whole for the devices another instance holds now: those polls get the refusal, the others go again.
                var refused = new HashSet<Guid>(ex.DeviceIds);
                var rest = new List<PendingMove>(batch.Count);
                foreach (var move in batch)
                {
                    if (refused.Contains(move.Device.Id))
                    {
                        move.Done.TrySetException(new LeaseLostException([move.Device.Id]));
                    }
                    else
                    {
                        rest.Add(move);
                    }
                }

                if (rest.Count == batch.Count)
                {
                    rest.ForEach(m => m.Done.TrySetException(ex));
                    return;
                }

                batch = rest;
            }
            catch (Exception ex)
            {
                // The store failed: each poll handles it as it would its own move's failure.
                batch.ForEach(m => m.Done.TrySetException(ex));
                return;
            }
        }
    }

    private sealed record PendingMove(Device Device, DeviceTrigger Trigger, string Reason, long? Token, TaskCompletionSource<Device?> Done);
}
