namespace Flux.Devices.Discovery;

/// <summary>What a probe learned of a device.</summary>
public sealed record DeviceProbeResult
{
    /// <summary>Gets the probe that learned it.</summary>
    public required string Probe { get; init; }

    /// <summary>Gets the device type (<c>bess</c>, <c>meter</c>, ...), or <see langword="null"/> when the probe knows the device but not as a registry type (a SunSpec inverter).</summary>
    public string? DeviceType { get; init; }

    /// <summary>Gets the manufacturer.</summary>
    public string? Manufacturer { get; init; }

    /// <summary>Gets the model.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the serial number: with it, a device that moved to another address is recognised rather than registered twice.</summary>
    public string? SerialNumber { get; init; }

    /// <summary>Gets the firmware version.</summary>
    public string? FirmwareVersion { get; init; }

    /// <summary>Gets anything else learned, as metadata keys (<c>capacity_kwh</c>, <c>phases</c>, <c>sunspec_models</c>, <c>template</c>, ...).</summary>
    public DeviceMetadata Details { get; init; } = DeviceMetadata.Empty;
}
