namespace Flux.Devices.Notifications;

/// <summary>One operator notification about one device.</summary>
public sealed record Notification
{
    /// <summary>Gets what it reports.</summary>
    public required NotificationKind Kind { get; init; }

    /// <summary>Gets how urgent it is.</summary>
    public required NotificationSeverity Severity { get; init; }

    /// <summary>Gets the device.</summary>
    public required Guid DeviceId { get; init; }

    /// <summary>Gets the device's name.</summary>
    public required string DeviceName { get; init; }

    /// <summary>Gets the text for a person, as the spec writes it (<c>Device WLCE-BESS-01 entering maintenance: Firmware upgrade</c>).</summary>
    public required string Message { get; init; }

    /// <summary>Gets when the reported change happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
