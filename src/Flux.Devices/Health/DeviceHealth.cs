namespace Flux.Devices.Health;

/// <summary>A device and its newest health sample.</summary>
public sealed record DeviceHealth
{
    /// <summary>Gets the device.</summary>
    public required Guid DeviceId { get; init; }

    /// <summary>Gets its name when it was polled.</summary>
    public required string DeviceName { get; init; }

    /// <summary>Gets its lifecycle state after the poll.</summary>
    public required DeviceState State { get; init; }

    /// <summary>Gets the sample.</summary>
    public required DeviceHealthSample Sample { get; init; }
}
