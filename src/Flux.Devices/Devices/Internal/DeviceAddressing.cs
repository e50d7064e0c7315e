using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Flux.Devices.Transport;

namespace Flux.Devices.Internal;

/// <summary>
/// Where a device is on the network, from its metadata: <c>ip_address</c> (as the spec's discovery writes it),
/// <c>port</c> (502 when absent) and <c>modbus_address</c>, the unit id (1 when absent).
/// </summary>
internal static class DeviceAddressing
{
    public const string IpAddressKey = "ip_address";
    public const string PortKey = "port";
    public const string UnitIdKey = "modbus_address";

    /// <summary>Reads the endpoint and unit id, or says which key is missing or wrong.</summary>
    public static bool TryRead(DeviceMetadata metadata, out ModbusEndpoint endpoint, out byte unitId, [NotNullWhen(false)] out string? problem)
    {
        endpoint = default;
        unitId = 1;
        if (metadata.GetString(IpAddressKey) is not { Length: > 0 } host || string.IsNullOrWhiteSpace(host))
        {
            problem = $"metadata has no {IpAddressKey} to poll the device at";
            return false;
        }

        var port = ModbusEndpoint.DefaultPort;
        if (metadata.TryGetValue(PortKey, out var portValue)
            && (portValue.ValueKind != JsonValueKind.Number || !portValue.TryGetInt32(out port) || port is < 1 or > 65535))
        {
            problem = $"metadata {PortKey} must be a whole number from 1 to 65535";
            return false;
        }

        if (metadata.TryGetValue(UnitIdKey, out var unitValue))
        {
            if (unitValue.ValueKind != JsonValueKind.Number || !unitValue.TryGetInt32(out var unit) || unit is < 1 or > 247)
            {
                problem = $"metadata {UnitIdKey} must be a whole number from 1 to 247";
                return false;
            }

            unitId = (byte)unit;
        }

        endpoint = new ModbusEndpoint(host.Trim(), port);
        problem = null;
        return true;
    }
}
