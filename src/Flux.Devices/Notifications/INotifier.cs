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

/// <summary>One operator notification about one device.</summary>
public sealed record Notification
{
    /// <summary>Initializes a new instance of the <see cref="Notification"/> record.</summary>
    /// <param name="kind">What it reports.</param>
    /// <param name="severity">How urgent it is.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="deviceName">The device's name.</param>
    /// <param name="message">The text for a person, as the spec writes it (<c>Device WLCE-BESS-01 entering maintenance: Firmware upgrade</c>).</param>
    /// <param name="timestamp">When the reported change happened.</param>
    public Notification(NotificationKind kind, NotificationSeverity severity, Guid deviceId, string deviceName, string message, DateTimeOffset timestamp)
    {
        Kind = kind;
        Severity = severity;
        DeviceId = deviceId;
        DeviceName = deviceName;
        Message = message;
        Timestamp = timestamp;
    }

    /// <summary>Gets what it reports.</summary>
    public NotificationKind Kind { get; init; }

    /// <summary>Gets how urgent it is.</summary>
    public NotificationSeverity Severity { get; init; }

    /// <summary>Gets the device.</summary>
    public Guid DeviceId { get; init; }

    /// <summary>Gets the device's name.</summary>
    public string DeviceName { get; init; }

    /// <summary>Gets the text for a person, as the spec writes it (<c>Device WLCE-BESS-01 entering maintenance: Firmware upgrade</c>).</summary>
    public string Message { get; init; }

    /// <summary>Gets when the reported change happened.</summary>
    public DateTimeOffset Timestamp { get; init; }
}
