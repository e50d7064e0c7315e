using System.Net;
using System.Text.Json;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// <c>flux devices sunspec DEVICE</c> against a <see cref="SunSpecSimulator"/> battery (unit 1), a chain cut after model 1
/// (unit 2) and a unit with no marker (unit 3), served on 127.0.0.1.
/// </summary>
public sealed class SunSpecCommandTests : FluxTestBed
{
    private readonly ModbusTcpServer _server = new();

    public override async ValueTask InitializeAsync()
    {
        _server.AddUnit(1, new SunSpecSimulator());
        var cut = new ModbusUnit();
        cut.SetRegisters(ModbusTable.HoldingRegisters, 40000, [0x5375, 0x6E53, 1, 66]); // model 1 says L=66: nothing is mapped at 40070
        cut.Map(ModbusTable.HoldingRegisters, 40004, 66);
        _server.AddUnit(2, cut);
        var plain = new ModbusUnit();
        plain.SetRegisters(ModbusTable.HoldingRegisters, 0, [1, 2, 3, 4]);
        _server.AddUnit(3, plain);
        await _server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        await WithRegistryAsync(async registry =>
        {
            foreach (var (name, unit) in new[] { ("WLCE-SUNSPEC-1", 1), ("WLCE-SUNSPEC-CUT", 2), ("WLCE-PLAIN", 3) })
            {
                var device = SpecSamples.Bess(name, modbusAddress: unit);
                await registry.RegisterAsync(device with { Metadata = device.Metadata.With("ip_address", "127.0.0.1").With("port", (long)_server.Endpoint.Port) }, cancellationToken: Cancel);
            }
        });
    }

    [Fact]
    public async Task Sunspec_PrintsTheChain_AndRecordsItOnlyWithRecord()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "sunspec", "WLCE-SUNSPEC-1", "--store", Store);
        var (_, before, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-SUNSPEC-1", "--output", "json", "--store", Store);
        var (jsonCode, json, _) = await FluxProcess.RunAsync("devices", "sunspec", "WLCE-SUNSPEC-1", "--record", "--actor", "alice", "--output", "json", "--store", Store);
        var (_, after, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-SUNSPEC-1", "--output", "json", "--store", Store);

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var lines = output.Trim().Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["ID", "NAME", "ADDRESS", "LENGTH", "LABEL"], lines[0]);
        Assert.Equal(["1", "common", "40002", "66", "Common"], lines[1]);
        Assert.Equal(["802", "battery", "40070", "62", "Battery", "Base", "Model"], lines[2]);
        Assert.Equal(3, lines.Count);
        Assert.DoesNotContain("sunspec_models", before, StringComparison.Ordinal); // read-only without --record

        Assert.Equal(FluxCli.Ok, jsonCode);
        using var rows = JsonDocument.Parse(json);
        Assert.Equal(
            [(1, "common", "Common", 40002, 66), (802, "battery", "Battery Base Model", 40070, 62)],
            rows.RootElement.EnumerateArray().Select(r => (r.GetProperty("id").GetInt32(), r.GetProperty("name").GetString(), r.GetProperty("label").GetString(), r.GetProperty("address").GetInt32(), r.GetProperty("length").GetInt32())));
        using var shown = JsonDocument.Parse(after);
        var metadata = shown.RootElement.GetProperty("metadata");
        Assert.Equal(
            """[{"id":1,"address":40002,"length":66},{"id":802,"address":40070,"length":62}]""",
            JsonSerializer.Serialize(metadata.GetProperty("sunspec_models")));
        Assert.Equal(40000, metadata.GetProperty("sunspec_base").GetInt32());
        var (_, history, _) = await FluxProcess.RunAsync("devices", "history", "WLCE-SUNSPEC-1", "--output", "json", "--store", Store);
        Assert.Contains("alice", history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sunspec_ACutChain_PrintsTheModelsBefore_AndSaysWhereItStopped()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "sunspec", "WLCE-SUNSPEC-CUT", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Contains("40002", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Trim().Split('\n').Length); // the header and model 1
        Assert.StartsWith("flux: WLCE-SUNSPEC-CUT: the SunSpec chain from 40000 stopped at address 40070 after 1 model(s): ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sunspec_NoMarker_ExitsOne()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "sunspec", "WLCE-PLAIN", "--store", Store);

        Assert.Equal((FluxCli.Failed, string.Empty), (code, output));
        Assert.Equal("flux: WLCE-PLAIN did not answer with the SunSpec marker \"SunS\" at 40000, 0, 50000.\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Sunspec_ACutChainRecorded_SaysWhereItStopped_AndAWholeWalkLaterClearsIt()
    {
        var (code, _, _) = await FluxProcess.RunAsync("devices", "sunspec", "WLCE-SUNSPEC-CUT", "--record", "--store", Store);
        var (_, shown, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-SUNSPEC-CUT", "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Failed, code); // cut short, recorded all the same
        using var device = JsonDocument.Parse(shown);
        var metadata = device.RootElement.GetProperty("metadata");
        Assert.Equal("""[{"id":1,"address":40002,"length":66}]""", JsonSerializer.Serialize(metadata.GetProperty("sunspec_models")));
        Assert.StartsWith("stopped at 40070: reading the model id failed: ", metadata.GetProperty("sunspec_walk").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sunspec_ADeviceWithoutAnAddress_IsBadUsage_NamingTheKey()
    {
        await WithRegistryAsync(async registry =>
        {
            await registry.RegisterAsync(SpecSamples.Bess("WLCE-NOWHERE", modbusAddress: 9), cancellationToken: Cancel); // no ip_address
        });

        var (code, output, error) = await FluxProcess.RunAsync("devices", "sunspec", "WLCE-NOWHERE", "--store", Store);

        Assert.Equal((FluxCli.Usage, string.Empty), (code, output));
        Assert.Equal("flux: devices sunspec WLCE-NOWHERE: device WLCE-NOWHERE: its metadata has no ip_address to poll the device at.\n", error.ReplaceLineEndings("\n"));
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        await _server.DisposeAsync();
        await base.DisposeCoreAsync();
    }
}
