namespace Flux.Devices.Notifications;

/// <summary>
/// Sends operator notifications: a device failed, a device entered or left maintenance. Register as many as
/// needed with <c>AddNotifier</c> on the <c>AddFluxDevices</c> builder; every one receives every notification.
/// A notifier that writes to the log is always registered.
/// </summary>
/// <remarks>
/// Notifications are sent after the change they report has been committed. A notifier that throws is logged
/// and does not undo the change or stop the other notifiers.
/// </remarks>
public interface INotifier
{
    /// <summary>Sends one notification.</summary>
    /// <param name="notification">What to say.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the notification was handed over.</returns>
    ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default);
}

/// <summary>How urgent a notification is.</summary>
public enum NotificationSeverity
{
    /// <summary>For the record: a planned change such as maintenance.</summary>
    Information = 0,

    /// <summary>Needs attention soon.</summary>
    Warning = 1,

    /// <summary>Needs attention now: a device failed.</summary>
    Critical = 2,
}

/// <summary>What a notification reports.</summary>
public enum NotificationKind
{
    /// <summary>A device entered maintenance.</summary>
    MaintenanceStarted = 0,

    /// <summary>A device left maintenance.</summary>
    MaintenanceEnded = 1,

    /// <summary>A device failed its communication test (the lifecycle's "Alert operator").</summary>
    DeviceFailed = 2,

    /// <summary>An active device stopped answering.</summary>
    DeviceOffline = 3,

    /// <summary>A device that had stopped answering answers again.</summary>
    DeviceRecovered = 4,
}
