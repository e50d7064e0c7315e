using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>A device a scan found: where it answered and what the probes learned of it.</summary>
public sealed record DiscoveredDevice
{
    /// <summary>Gets the host and port.</summary>
    public required ModbusEndpoint Endpoint { get; init; }

    /// <summary>Gets the unit id it answered at.</summary>
    public required byte UnitId { get; init; }

    /// <summary>Gets the exception code it answered the presence read with, when it answered with one (it is still present).</summary>
    public ModbusExceptionCode? PresenceException { get; init; }

    /// <summary>
    /// Gets a value indicating whether the device answered every unit id scanned, identically: one device that
    /// ignores the unit id (common for direct TCP devices), reported once at the first unit id.
    /// </summary>
    public bool IgnoresUnitId { get; init; }

    /// <summary>Gets what a probe learned of the device; <see langword="null"/> when no probe recognised it (an unknown responder).</summary>
    public DeviceProbeResult? Identity { get; init; }

    /// <summary>Gets when the device was found.</summary>
    public required DateTimeOffset DiscoveredAt { get; init; }

    /// <summary>Returns <c>host:port unit N (type)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Endpoint} unit {UnitId} ({Identity?.DeviceType ?? "unknown"})";
}
