using Flux.Devices.Modbus.Client;
using Flux.Devices.Modbus.Server;
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
