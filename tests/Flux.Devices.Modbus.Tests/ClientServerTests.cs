using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests;

/// <summary>Our client against our server over real TCP on 127.0.0.1: every function code, both ways.</summary>
public sealed class ClientServerTests : IAsyncLifetime
{
    private ModbusTcpServer _server = null!;
    private ModbusTcpTransport _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { RecordRequests = true });
        _server.AddUnit(1, Loopback.AddressEchoUnit());
        var bess = new PowerPackBessSimulator();
        _server.AddUnit(2, bess);
        _client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ReadHoldingAndInputRegisters_ReturnTheServersValues()
    {
        var holding = new ushort[125];
        var input = new ushort[10];

        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 1, 40000, holding);
        await _client.ReadInputRegistersAsync(_server.Endpoint, 1, 65526, input);

        Assert.Equal(Enumerable.Range(40000, 125).Select(i => (ushort)i), holding);
        Assert.Equal(Enumerable.Range(65526, 10).Select(i => (ushort)(i ^ 0xFFFF)), input);
    }

    [Fact]
    public async Task ReadCoilsAndDiscreteInputs_UnpackEveryBit()
    {
        var coils = new bool[2000];
        var inputs = new bool[13];

        await _client.ReadCoilsAsync(_server.Endpoint, 1, 3, coils);
        await _client.ReadDiscreteInputsAsync(_server.Endpoint, 1, 100, inputs);

        Assert.Equal(Enumerable.Range(3, 2000).Select(i => i % 2 == 0), coils);
        Assert.Equal(Enumerable.Range(100, 13).Select(i => i % 2 != 0), inputs);
    }

    [Fact]
    public async Task Writes_EveryFunction_AreAppliedAndReadBack()
    {
        var endpoint = _server.Endpoint;
        await _client.WriteSingleRegisterAsync(endpoint, 1, 10, 0x1234);
        await _client.WriteMultipleRegistersAsync(endpoint, 1, 20, new ushort[] { 1, 2, 3, 0xFFFF });
        await _client.WriteSingleCoilAsync(endpoint, 1, 0, false);
        await _client.WriteMultipleCoilsAsync(endpoint, 1, 100, Enumerable.Repeat(true, 1968).ToArray());
        var readBack = new ushort[3];
        await _client.ReadWriteMultipleRegistersAsync(endpoint, 1, 9, readBack, 30, new ushort[] { 7, 8 });

        var registers = new ushort[4];
        await _client.ReadHoldingRegistersAsync(endpoint, 1, 20, registers);
        var coils = new bool[1970];
        await _client.ReadCoilsAsync(endpoint, 1, 0, coils.AsMemory(0, 1));
        await _client.ReadCoilsAsync(endpoint, 1, 100, coils.AsMemory(0, 1968));
        var written = new ushort[2];
        await _client.ReadHoldingRegistersAsync(endpoint, 1, 30, written);

        Assert.Equal(new ushort[] { 9, 0x1234, 11 }, readBack);
        Assert.Equal(new ushort[] { 1, 2, 3, 0xFFFF }, registers);
        Assert.All(coils.Take(1968), Assert.True);
        Assert.Equal(new ushort[] { 7, 8 }, written);
        var first = new bool[1];
        await _client.ReadCoilsAsync(endpoint, 1, 0, first);
        Assert.False(first[0]);
    }

    [Fact]
    public async Task ReadDeviceIdentification_BasicAndRegular()
    {
        var basic = await _client.ReadDeviceIdentificationAsync(_server.Endpoint, 2);

        Assert.Equal(("PowerPack", "PP-500", "2.1.3"), (basic.VendorName, basic.ProductCode, basic.Revision));
        Assert.Equal(0x81, basic.ConformityLevel);
    }

    [Fact]
    public async Task ReadDeviceIdentification_ObjectsBeyondOneReply_FollowMoreFollows()
    {
        var unit = new ModbusUnit();
        for (byte id = 0; id < 7; id++)
        {
            unit.Identification[id] = new string((char)('A' + id), 60);
        }

        _server.AddUnit(9, unit);

        var identification = await _client.ReadDeviceIdentificationAsync(_server.Endpoint, 9, DeviceIdentificationCategory.Regular);

        Assert.Equal(7, identification.Objects.Count);
        Assert.Equal(new string('G', 60), identification.Objects[6]);
        Assert.True(_server.RecordedRequests.Count(r => r.FunctionCode == 0x2B) >= 2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(126)]
    public async Task ReadRegisters_QuantityOutsideTheSpec_RefusedBeforeAnythingIsSent(int quantity)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ReadHoldingRegistersAsync(_server.Endpoint, 1, 0, new ushort[quantity]).AsTask());

        Assert.Equal("destination", error.ParamName);
        Assert.Empty(_server.RecordedRequests);
    }

    [Fact]
    public async Task EveryFunction_QuantityLimits_RefusedBeforeAnythingIsSent()
    {
        var e = _server.Endpoint;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ReadCoilsAsync(e, 1, 0, new bool[2001]).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ReadDiscreteInputsAsync(e, 1, 0, Memory<bool>.Empty).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ReadInputRegistersAsync(e, 1, 0, new ushort[126]).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.WriteMultipleCoilsAsync(e, 1, 0, new bool[1969]).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.WriteMultipleRegistersAsync(e, 1, 0, new ushort[124]).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ReadWriteMultipleRegistersAsync(e, 1, 0, new ushort[126], 0, new ushort[1]).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ReadWriteMultipleRegistersAsync(e, 1, 0, new ushort[1], 0, new ushort[122]).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.ReadHoldingRegistersAsync(e, 1, 65530, new ushort[7]).AsTask());

        // The limits themselves are accepted.
        await _client.ReadCoilsAsync(e, 1, 0, new bool[2000]);
        await _client.WriteMultipleRegistersAsync(e, 1, 0, new ushort[123]);
        await _client.ReadWriteMultipleRegistersAsync(e, 1, 0, new ushort[125], 200, new ushort[121]);
        Assert.Equal(3, _server.RecordedRequests.Count);
    }

    [Fact]
    public async Task Server_BadAddressFunctionAndValue_GetTheSpecsExceptionReplies()
    {
        var bess = _server.Endpoint;

        var address = await Assert.ThrowsAsync<ModbusException>(() => _client.ReadHoldingRegistersAsync(bess, 2, 1990, new ushort[20]).AsTask());
        var readOnly = await Assert.ThrowsAsync<ModbusException>(() => _client.WriteSingleRegisterAsync(bess, 2, PowerPackBessSimulator.SoeAddress, 1).AsTask());
        var value = await Assert.ThrowsAsync<ModbusException>(() => _client.WriteSingleRegisterAsync(bess, 2, PowerPackBessSimulator.TargetPowerAddress, 500).AsTask());
        var function = await Assert.ThrowsAsync<ModbusException>(() => _client.ReadDeviceIdentificationAsync(bess, 1).AsTask());
        var unknownUnit = await Assert.ThrowsAsync<ModbusException>(() => _client.ReadHoldingRegistersAsync(bess, 77, 0, new ushort[1]).AsTask());

        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, address.Code);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, readOnly.Code);
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, value.Code);
        Assert.Equal(ModbusExceptionCode.IllegalFunction, function.Code);
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, unknownUnit.Code);
        Assert.Equal((byte)3, address.FunctionCode);
        Assert.False(address.IsTransient);
        Assert.True(unknownUnit.IsTransient);
        Assert.Contains("illegal data address", address.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PowerPackBess_WholeSpecMapIsOneRead_AndTargetPowerMovesTheSoe()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var bess = new PowerPackBessSimulator(time, capacityKwh: 500, initialSoe: 0.5);
        _server.AddUnit(3, bess);
        var map = new ushort[29];

        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 3, 2000, map);
        await _client.WriteSingleRegisterAsync(_server.Endpoint, 3, 2008, unchecked((ushort)(short)100));
        time.Advance(TimeSpan.FromMinutes(30));
        var after = new ushort[29];
        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 3, 2000, after);

        Assert.Equal(250_000u, RegisterCodec.ReadUInt32(map.AsSpan(26)));
        Assert.Equal(10, map[28]);
        Assert.Equal(200_000u, RegisterCodec.ReadUInt32(after.AsSpan(26))); // 100 kW for half an hour
        Assert.Equal(100, (short)after[8]);
        Assert.Equal(2, after[0]); // discharging
    }

    [Fact]
    public async Task AcuvimMeter_FloatsAtTheDocumentedAddresses()
    {
        _server.AddUnit(4, new AcuvimMeterSimulator(activePowerW: 30_000));
        var realtime = new ushort[0x3C];
        var energy = new ushort[4];

        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 4, AcuvimMeterSimulator.FrequencyAddress, realtime);
        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 4, AcuvimMeterSimulator.ImportedEnergyAddress, energy);

        Assert.InRange(RegisterCodec.ReadSingle(realtime), 49.9f, 50.1f);
        Assert.InRange(RegisterCodec.ReadSingle(realtime.AsSpan(2)), 229f, 231f);
        Assert.InRange(RegisterCodec.ReadSingle(realtime.AsSpan(0x22)), 29_000f, 31_000f);
        Assert.InRange(RegisterCodec.ReadSingle(realtime.AsSpan(0x3A)), 0.97f, 0.99f);
    }

    [Theory]
    [InlineData(SunSpecDeviceKind.Battery, 802, (ushort)40000)]
    [InlineData(SunSpecDeviceKind.Meter, 203, (ushort)0)]
    [InlineData(SunSpecDeviceKind.Battery, 802, (ushort)50000)]
    public async Task SunSpec_MarkerCommonModelAndModelChain(SunSpecDeviceKind kind, int modelId, ushort baseAddress)
    {
        _server.AddUnit(5, new SunSpecSimulator(kind, baseAddress, manufacturer: "Acme", model: "X1", serialNumber: "SN42"));
        var head = new ushort[70];

        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 5, baseAddress, head);
        var next = new ushort[2];
        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 5, (ushort)(baseAddress + 70), next);
        var end = new ushort[2];
        await _client.ReadHoldingRegistersAsync(_server.Endpoint, 5, (ushort)(baseAddress + 72 + next[1]), end);

        Assert.Equal(0x53756E53u, RegisterCodec.ReadUInt32(head));
        Assert.Equal((ushort)1, head[2]);
        Assert.Equal((ushort)66, head[3]);
        Assert.Equal("Acme", RegisterCodec.ReadString(head.AsSpan(4, 16)));
        Assert.Equal("X1", RegisterCodec.ReadString(head.AsSpan(20, 16)));
        Assert.Equal("SN42", RegisterCodec.ReadString(head.AsSpan(52, 16)));
        Assert.Equal(modelId, next[0]);
        Assert.Equal(new ushort[] { 0xFFFF, 0 }, end);
    }
}
