using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Flux.Devices.Transport;

namespace Flux.Devices.Internal;

/// <summary>
/// Where a device is on the network, from its metadata: <c>ip_address</c> (as the spec's discovery writes it),
/// <c>port</c> (502 when absent, 802 with TLS), <c>modbus_address</c>, the unit id (1 when absent), <c>modbus_framing</c>,
/// <c>tcp</c> (Modbus TCP, when absent) or <c>rtu</c> (RTU frames through a TCP gateway), and <c>modbus_tls</c>
/// (<see langword="true"/> for Modbus/TCP Security; Modbus TCP framing only).
/// </summary>
internal static class DeviceAddressing
{
    public const string IpAddressKey = "ip_address";
    public const string PortKey = "port";
    public const string UnitIdKey = "modbus_address";
    public const string FramingKey = "modbus_framing";
    public const string TlsKey = "modbus_tls";
    public const string TcpFraming = "tcp";
    public const string RtuFraming = "rtu";

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
        var hasPort = metadata.TryGetValue(PortKey, out var portValue);
        if (hasPort
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

        var framing = ModbusFraming.Tcp;
        if (metadata.TryGetValue(FramingKey, out var framingValue))
        {
            var text = framingValue.ValueKind == JsonValueKind.String ? framingValue.GetString()?.Trim() : null;
            if (string.Equals(text, RtuFraming, StringComparison.OrdinalIgnoreCase))
            {
                framing = ModbusFraming.RtuOverTcp;
            }
            else if (!string.Equals(text, TcpFraming, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"metadata {FramingKey} must be \"{TcpFraming}\" or \"{RtuFraming}\"";
                return false;
            }
        }

        var useTls = false;
        if (metadata.TryGetValue(TlsKey, out var tlsValue))
        {
            if (tlsValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                problem = $"metadata {TlsKey} must be true or false";
                return false;
            }

            useTls = tlsValue.ValueKind == JsonValueKind.True;
            if (useTls && framing == ModbusFraming.RtuOverTcp)
            {
                problem = $"metadata {TlsKey} is true with {FramingKey} \"{RtuFraming}\": Modbus/TCP Security carries Modbus TCP framing only";
                return false;
            }
        }

        endpoint = new ModbusEndpoint(host.Trim(), useTls && !hasPort ? ModbusEndpoint.DefaultSecurePort : port) { Framing = framing, UseTls = useTls };
        problem = null;
        return true;
    }

    /// <summary>The <see cref="FramingKey"/> value for a framing, or <see langword="null"/> for Modbus TCP (the default, not written).</summary>
    public static string? FramingText(ModbusFraming framing) => framing == ModbusFraming.RtuOverTcp ? RtuFraming : null;
}
