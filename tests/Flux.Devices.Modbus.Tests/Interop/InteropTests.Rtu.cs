using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.Interop;

/// <summary>Our client, in RTU-over-TCP framing, against pymodbus's TCP server with its RTU framer (an independent peer).</summary>
public sealed partial class InteropTests
{
    [Fact]
    public async Task OurRtuClient_ReadsAndWritesAPymodbusServerWithTheRtuFramer()
    {
        await using var pymodbus = await PymodbusServer.StartAsync("pymodbus_rtu_server.py");
        var endpoint = ModbusEndpoint.Parse($"rtu+tcp://127.0.0.1:{pymodbus.Endpoint.Port}");
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(5) });

        var holding = new ushort[125];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 3, holding);
        var input = new ushort[3];
        await client.ReadInputRegistersAsync(endpoint, 1, 0, input);
        var coils = new bool[10];
        await client.ReadCoilsAsync(endpoint, 1, 0, coils);
        var inputs = new bool[4];
        await client.ReadDiscreteInputsAsync(endpoint, 1, 10, inputs);
        await client.WriteSingleRegisterAsync(endpoint, 1, 150, 0xBEEF);
        await client.WriteMultipleRegistersAsync(endpoint, 1, 160, new ushort[] { 1, 2, 3 });
        await client.WriteSingleCoilAsync(endpoint, 1, 0, false);
        await client.WriteMultipleCoilsAsync(endpoint, 1, 20, new[] { false, true, true });
        var written = new ushort[14];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 150, written);
        var writtenCoils = new bool[23];
        await client.ReadCoilsAsync(endpoint, 1, 0, writtenCoils);
        var identification = await client.ReadDeviceIdentificationAsync(endpoint, 1);

        Assert.Equal(Enumerable.Range(2003, 125).Select(i => (ushort)i), holding);
        Assert.Equal(new ushort[] { 6000, 6001, 6002 }, input);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i % 3 == 0), coils);
        Assert.Equal(Enumerable.Range(10, 4).Select(i => i % 2 == 1), inputs);
        Assert.Equal((ushort)0xBEEF, written[0]);
        Assert.Equal(new ushort[] { 1, 2, 3 }, written[10..13]);
        Assert.False(writtenCoils[0]);
        Assert.Equal(new[] { false, true, true }, writtenCoils[20..23]);
        Assert.Equal(("Flux Interop", "RTU-1", "3.0"), (identification.VendorName, identification.ProductCode, identification.Revision));
    }
}
