using Flux.Devices.Internal;
using Flux.Devices.Transport;

namespace Flux.Devices.Tests.Transport;

/// <summary>
/// A Modbus/TCP Security endpoint in text (<c>mbaps://</c>) and in a device's metadata (<c>modbus_tls</c>), so that
/// discovery, health and templates reach TLS devices as they reach the others.
/// </summary>
public sealed class SecureEndpointTests
{
    [Theory]
    [InlineData("mbaps://127.0.0.1", "127.0.0.1", 802, "mbaps://127.0.0.1:802")]
    [InlineData("MBAPS://10.0.0.5:8802", "10.0.0.5", 8802, "mbaps://10.0.0.5:8802")]
    [InlineData("mbaps://[::1]:802/", "::1", 802, "mbaps://[::1]:802")]
    public void Parse_Mbaps_IsTlsWithModbusTcpFraming_AndRoundTrips(string text, string host, int port, string printed)
    {
        var endpoint = ModbusEndpoint.Parse(text);

        Assert.Equal((host, port, true, ModbusFraming.Tcp), (endpoint.Host, endpoint.Port, endpoint.UseTls, endpoint.Framing));
        Assert.Equal(printed, endpoint.ToString());
        Assert.Equal(endpoint, ModbusEndpoint.Parse(endpoint.ToString()));
        Assert.NotEqual(endpoint, endpoint with { UseTls = false });
    }

    [Fact]
    public void Parse_UnknownScheme_NamesTheThreeItReads()
    {
        var error = Assert.Throws<FormatException>(() => ModbusEndpoint.Parse("modbus://127.0.0.1"));

        Assert.Contains("mbaps://", error.Message, StringComparison.Ordinal);
        Assert.Contains("rtu+tcp://", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"ip_address": "127.0.0.1", "modbus_tls": true}""", 802, true)]
    [InlineData("""{"ip_address": "127.0.0.1", "modbus_tls": true, "port": 1802}""", 1802, true)]
    [InlineData("""{"ip_address": "127.0.0.1", "modbus_tls": false}""", 502, false)]
    [InlineData("""{"ip_address": "127.0.0.1"}""", 502, false)]
    public void Metadata_ModbusTls_GivesATlsEndpoint_On802UnlessAPortIsSet(string json, int port, bool tls)
    {
        Assert.True(DeviceAddressing.TryRead(DeviceMetadata.Parse(json), out var endpoint, out _, out var problem), problem);

        Assert.Equal((port, tls), (endpoint.Port, endpoint.UseTls));
    }

    [Theory]
    [InlineData("""{"ip_address": "127.0.0.1", "modbus_tls": "yes"}""", "modbus_tls must be true or false")]
    [InlineData("""{"ip_address": "127.0.0.1", "modbus_tls": true, "modbus_framing": "rtu"}""", "Modbus TCP framing only")]
    public void Metadata_BadModbusTls_IsRefused_NamingTheKey(string json, string expected)
    {
        Assert.False(DeviceAddressing.TryRead(DeviceMetadata.Parse(json), out _, out _, out var problem));

        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
