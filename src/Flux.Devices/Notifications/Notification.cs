namespace Flux.Devices.Notifications;

/// <summary>One operator notification about one device.</summary>
/// <param name="Kind">What it reports.</param>
/// <param name="Severity">How urgent it is.</param>
/// <param name="DeviceId">The device.</param>
/// <param name="DeviceName">The device's name.</param>
/// <param name="Message">The text for a person, as the spec writes it (<c>Device WLCE-BESS-01 entering maintenance: Firmware upgrade</c>).</param>
/// <param name="Timestamp">When the reported change happened.</param>
public sealed record Notification(
    NotificationKind Kind,
    NotificationSeverity Severity,
    Guid DeviceId,
    string DeviceName,
    string Message,
    DateTimeOffset Timestamp);
