using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>One unit id at one endpoint: where one device behind a gateway answers.</summary>
/// <param name="Endpoint">The host and port.</param>
/// <param name="UnitId">The unit id.</param>
public readonly record struct ModbusUnitAddress(ModbusEndpoint Endpoint, byte UnitId)
{
    /// <summary>Returns <c>host:port unit N</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Endpoint} unit {UnitId}";
}
