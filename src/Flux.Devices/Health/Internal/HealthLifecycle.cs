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
internal sealed class HealthLifecycle(IDeviceRegistry registry, IDeviceStore store, NotificationDispatcher notifications, ILogger logger)
{
    private const string Actor = "health-monitor";

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
}
