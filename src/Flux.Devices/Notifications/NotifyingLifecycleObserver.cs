using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;

namespace Flux.Devices.Notifications;

/// <summary>
/// Turns lifecycle transitions into operator notifications: the "Alert operator" action when a device fails,
/// and the maintenance notices the spec sends (<c>Device X entering maintenance: reason</c>).
/// </summary>
internal sealed class NotifyingLifecycleObserver(NotificationDispatcher dispatcher) : IDeviceLifecycleObserver
{
    public ValueTask OnTransitionedAsync(DeviceTransitioned transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var device = transition.Device;
        var at = transition.Entry.Timestamp;
        Notification? notification = transition.Transition.Trigger switch
        {
            DeviceTrigger.EnterMaintenance => new Notification { Kind = NotificationKind.MaintenanceStarted, Severity = NotificationSeverity.Information, DeviceId = device.Id, DeviceName = device.Name, Message = MaintenanceMessage(device, transition.Entry.Reason), Timestamp = at },
            DeviceTrigger.ExitMaintenance => new Notification { Kind = NotificationKind.MaintenanceEnded, Severity = NotificationSeverity.Information, DeviceId = device.Id, DeviceName = device.Name, Message = $"Device {device.Name} leaving maintenance; testing communication", Timestamp = at },
            _ when transition.Transition.Action == LifecycleAction.AlertOperator => new Notification { Kind = NotificationKind.DeviceFailed, Severity = NotificationSeverity.Critical, DeviceId = device.Id, DeviceName = device.Name, Message = transition.Entry.Reason is { Length: > 0 } reason
                    ? $"Device {device.Name} failed: {reason}"
                    : $"Device {device.Name} failed its communication test", Timestamp = at },
            _ => null,
        };

        return notification is null ? ValueTask.CompletedTask : dispatcher.SendAsync(notification, cancellationToken);
    }

    private static string MaintenanceMessage(Device device, string? reason)
    {
        var message = $"Device {device.Name} entering maintenance: {reason}";
        return MaintenanceInfo.TryRead(device.Metadata, out var info) && info.ExpectedDuration is { } duration
            ? $"{message} (expected to take {DurationText.Format(ToTheMinute(duration))})"
            : message;
    }

    /// <summary>
    /// An operator's notice gives a duration of a minute or more to the nearest minute: a window a scheduler started
    /// seconds after its start still reads "2 hours". The device's metadata keeps the exact time left.
    /// </summary>
    private static TimeSpan ToTheMinute(TimeSpan duration) =>
        duration < TimeSpan.FromMinutes(1) ? duration : TimeSpan.FromMinutes(Math.Round(duration.TotalMinutes, MidpointRounding.AwayFromZero));
}
