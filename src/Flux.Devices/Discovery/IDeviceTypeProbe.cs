using Flux.Devices.Templates;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>
/// One way to tell what a responder is. The scanner asks each probe in turn (SunSpec, then Read Device Identification
/// matched against the templates' manufacturers, then the templates' <c>identify</c> fingerprints, then those a host
/// adds with <c>AddDeviceTypeProbe</c>) until one recognises the device.
/// </summary>
public interface IDeviceTypeProbe
{
    /// <summary>Gets the probe's name, recorded with what it learned.</summary>
    string Name { get; }

    /// <summary>Probes one device.</summary>
    /// <param name="context">The device and a read-only transport to it.</param>
    /// <param name="cancellationToken">Cancels the probe (the host's budget ran out, or the scan was cancelled).</param>
    /// <returns>What the probe learned, or <see langword="null"/> when it does not recognise the device.</returns>
    /// <remarks>A probe may let Modbus errors escape; the scanner treats them as "not recognised" and asks the next probe.</remarks>
    ValueTask<DeviceProbeResult?> ProbeAsync(ProbeContext context, CancellationToken cancellationToken);
}

/// <summary>The device a probe looks at, and the only transport it may use.</summary>
public sealed class ProbeContext
{
    /// <summary>Gets the most registers one probe read may ask for: 70, enough for the SunSpec common model in one read.</summary>
    public static int MaxQuantity => 70;

    /// <summary>Initializes a new instance of the <see cref="ProbeContext"/> class.</summary>
    /// <param name="transport">The transport; the scanner's is read-only and rate-limited.</param>
    /// <param name="endpoint">The device's host and port.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="templates">Templates that may identify the device.</param>
    public ProbeContext(IModbusTransport transport, ModbusEndpoint endpoint, byte unitId, IReadOnlyList<DeviceTemplate> templates)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(templates);
        Transport = transport;
        Endpoint = endpoint;
        UnitId = unitId;
        Templates = templates;
    }

    /// <summary>Gets the transport. During a scan it refuses writes, function 8 and reads of more than <see cref="MaxQuantity"/> registers.</summary>
    public IModbusTransport Transport { get; }

    /// <summary>Gets the device's host and port.</summary>
    public ModbusEndpoint Endpoint { get; }

    /// <summary>Gets the unit id.</summary>
    public byte UnitId { get; }

    /// <summary>Gets the templates that may identify the device.</summary>
    public IReadOnlyList<DeviceTemplate> Templates { get; }
}

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
