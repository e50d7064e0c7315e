using Flux.Devices.Modbus.Client;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.SunSpec;

namespace Flux.Devices.Modbus.Tests.SunSpec;

/// <summary>The ends of a SunSpec chain walk that a real device rarely shows: the top of the address space, no end model.</summary>
public sealed class SunSpecChainTests : IAsyncLifetime
{
    private ModbusTcpServer _server = null!;
    private ModbusTcpTransport _client = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await Loopback.StartServerAsync();
        _client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task AModelRunningPast65535_StopsTheWalkThere_KeepingTheModelsBefore()
    {
        // Marker at 50000, model 1 (L 66) at 50002, then model 802 claiming 15600 registers from 50070: past 65535.
        var unit = Unit(50000, [(1, 66), (802, 15600)]);
        _server.AddUnit(1, unit);

        var chain = await SunSpecChain.DiscoverAsync(_client, _server.Endpoint, 1, Cancel);

        Assert.Equal([new SunSpecModelEntry(1, 50002, 66)], chain!.Models);
        Assert.Equal("The SunSpec model chain at 50000 stops at address 50070 after 1 model(s): model 802 of length 15600 runs past address 65535.", chain.Error!.Message);
    }

    [Fact]
    public async Task AChainThatFillsTheAddressSpace_WithoutAnEndModel_StopsAt65536()
    {
        // Model 1 (L 66) at 65002..65069, then an unknown model whose body ends exactly at 65535.
        var unit = Unit(65000, [(1, 66), (64999, 464)]);
        _server.AddUnit(1, unit);

        var chain = await SunSpecChain.WalkAsync(_client, _server.Endpoint, 1, 65000, Cancel);

        Assert.Equal([new SunSpecModelEntry(1, 65002, 66), new SunSpecModelEntry(64999, 65070, 464)], chain.Models);
        Assert.Equal((65536, 2), (chain.Error!.Address, chain.Error.ModelsRead));
        Assert.EndsWith("the chain runs past address 65535 without an end model (0xFFFF).", chain.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChainWithoutAnEndModel_StopsAfterTheMostModels()
    {
        var unit = Unit(0, [.. Enumerable.Repeat<(ushort, ushort)>((64999, 0), SunSpecChain.MaxModels + 5)]);
        _server.AddUnit(1, unit);

        var chain = await SunSpecChain.DiscoverAsync(_client, _server.Endpoint, 1, Cancel);

        Assert.Equal(SunSpecChain.MaxModels, chain!.Models.Count);
        Assert.Equal(2 + (2 * SunSpecChain.MaxModels), chain.Error!.Address);
        Assert.EndsWith($"no end model (0xFFFF) after {SunSpecChain.MaxModels} models.", chain.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoMarker_IsNoChain()
    {
        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, 40000, [0x5375, 0x6E54]);
        _server.AddUnit(1, unit);

        Assert.Null(await SunSpecChain.DiscoverAsync(_client, _server.Endpoint, 1, Cancel));
    }

    [Fact]
    public async Task ReadAsync_WalksARegisteredDevice_AtTheAddressItsMetadataNames_WithTheModelsNamesFromTheCatalog()
    {
        _server.AddUnit(3, new SunSpecSimulator(SunSpecDeviceKind.Meter, baseAddress: 50000));
        _server.AddUnit(4, Unit(0, [(1, 66), (64999, 4)]));

        var meter = await SunSpecChain.ReadAsync(_client, Device(3), Cancel);
        var odd = await SunSpecChain.ReadAsync(_client, Device(4), Cancel);

        Assert.Equal(50000, meter!.BaseAddress);
        Assert.True(meter.IsComplete);
        Assert.Equal(
            [(1, 50002, 66, "common", "Common"), (203, 50070, 105, "ac_meter_abcn", "wye-connect three phase (abcn) meter")],
            meter.Models.Select(m => (m.Id, m.Address, m.Length, m.Name, m.Label)));
        Assert.Equal(50070 + 2 + 105, meter.Models[1].End);
        Assert.Equal([(1, "common"), (64999, null)], odd!.Models.Select(m => (m.Id, m.Name))); // not shipped: no name, walked past all the same
        Assert.Null(odd.Models[1].Label);
        Assert.Equal(2 + 68 + 6, odd.Error!.Address); // no end model after it: cut short, and said where
    }

    [Fact]
    public async Task ReadAsync_ADeviceWithoutAnAddress_IsRefusedNamingTheMetadata_AndADeviceWithoutTheMarkerIsNoChain()
    {
        var plain = new ModbusUnit();
        plain.SetRegisters(ModbusTable.HoldingRegisters, 0, [1, 2, 3, 4]);
        _server.AddUnit(5, plain);
        var nowhere = Device(1) with { Metadata = Device(1).Metadata.Without("ip_address") };

        var error = await Assert.ThrowsAsync<DeviceValidationException>(async () => await SunSpecChain.ReadAsync(_client, nowhere, Cancel));
        var none = await SunSpecChain.ReadAsync(_client, Device(5), Cancel);

        Assert.Equal("metadata", Assert.Single(error.Errors).Field);
        Assert.Contains("WLCE-SS: its metadata has no ip_address", error.Message, StringComparison.Ordinal);
        Assert.Null(none);
    }

    [Fact]
    public async Task AddTo_RecordsTheChainAsDiscoveryDoes_AndAWholeChainRemovesAnEarlierCut()
    {
        _server.AddUnit(6, Unit(40000, [(1, 66)])); // nothing after model 1: the walk stops at 40070
        _server.AddUnit(7, new SunSpecSimulator());
        var cut = await SunSpecChain.ReadAsync(_client, Device(6), Cancel);
        var whole = await SunSpecChain.ReadAsync(_client, Device(7), Cancel);
        var existing = DeviceMetadata.Empty.With("rated_power_kw", 100L);

        var recorded = cut!.AddTo(existing);
        var again = whole!.AddTo(recorded);

        Assert.Equal(100, recorded["rated_power_kw"].GetInt64());
        Assert.Equal(40000, recorded[SunSpecChain.BaseMetadataKey].GetInt64());
        Assert.Equal("""[{"id":1,"address":40002,"length":66}]""", recorded[SunSpecChain.MetadataKey].GetRawText());
        Assert.StartsWith("stopped at 40070: reading the model id failed: ", recorded.GetString(SunSpecChain.WalkMetadataKey), StringComparison.Ordinal);
        Assert.Equal("""[{"id":1,"address":40002,"length":66},{"id":802,"address":40070,"length":62}]""", again[SunSpecChain.MetadataKey].GetRawText());
        Assert.False(again.ContainsKey(SunSpecChain.WalkMetadataKey));
        Assert.Equal(whole.Models, SunSpecChain.FromMetadata(again)!.Models);
    }

    [Fact]
    public async Task MapReadAsync_ACountReadTheDeviceRefuses_LeavesThatModelsCurvesOut_AndMapsTheRest()
    {
        // 705 (L 67) whose body is not mapped past its ID and L: the count read is refused (exception 02); 802 after it answers.
        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, 40000, [0x5375, 0x6E53, 705, 67]);
        unit.SetRegisters(ModbusTable.HoldingRegisters, 40071, [802, 62, .. new ushort[62], 0xFFFF, 0]);
        _server.AddUnit(8, unit);
        var chain = await SunSpecChain.DiscoverAsync(_client, _server.Endpoint, 8, Cancel);

        var map = await SunSpecRegisterMap.ReadAsync(chain!, _client, _server.Endpoint, 8, cancellationToken: Cancel);

        Assert.True(chain!.IsComplete);
        Assert.Equal(["model 705 at 40002 (length 67): the size of group Crv depends on a count that could not be read; it and what follows are not mapped"], map.Problems);
        Assert.True(map.TryFind("705.V_SF", out _));
        Assert.True(map.TryFind("802.SoC", out _));
    }

    private Device Device(byte unit) => new()
    {
        Id = Guid.NewGuid(),
        Name = "WLCE-SS",
        Type = DeviceTypes.Bess,
        Site = "WLCE",
        Metadata = DeviceMetadata.Empty.With("ip_address", "127.0.0.1").With("port", (long)_server.Endpoint.Port).With("modbus_address", (long)unit),
    };

    /// <summary>A unit with the marker at <paramref name="baseAddress"/> and models of the given ids and lengths (bodies zero), no end model.</summary>
    private static ModbusUnit Unit(ushort baseAddress, (ushort Id, ushort Length)[] models)
    {
        var registers = new List<ushort> { 0x5375, 0x6E53 };
        foreach (var (id, length) in models)
        {
            registers.Add(id);
            registers.Add(length);
            registers.AddRange(Enumerable.Repeat((ushort)0, Math.Min(length, 65536 - baseAddress - registers.Count)));
        }

        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, baseAddress, registers.Take(65536 - baseAddress).ToArray());
        return unit;
    }
}
