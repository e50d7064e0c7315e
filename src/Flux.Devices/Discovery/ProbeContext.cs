using Flux.Devices.Templates;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

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
