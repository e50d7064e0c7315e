using System.Text.Json;
using Flux.Devices.Specification.Tests;
using Flux.Devices.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli.Tests;

/// <summary>The commands, run through the real entry point on a SQLite file of their own: output, JSON, errors and exit codes.</summary>
public sealed class CommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-cli-").FullName;

    private string Store => Path.Combine(_directory, "flux.db");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var store = new SqliteDeviceStore(Store);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        await using (var provider = services.BuildServiceProvider())
        {
            var registry = provider.GetRequiredService<IDeviceRegistry>();
            await registry.RegisterManyAsync([SpecSamples.Bess(), SpecSamples.Meter(), SpecSamples.Bess("HMCE-BESS-01", site: "HMCE")], cancellationToken: Cancel);
        }

        store.ReleaseFile();
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task DevicesList_WithAFilter_PrintsTheMatchingDevicesAsATable()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "list", "--filter", "type=bess", "--store", Store);

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var lines = output.Trim().Split('\n');
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.Equal(["HMCE-BESS-01", "WLCE-BESS-01"], lines[1..].Select(l => l.Split(' ')[0]));
    }

    [Fact]
    public async Task DevicesList_AsJson_IsTheDevicesWithTheirMetadata()
    {
        var (code, output, _) = await FluxProcess.RunAsync("devices", "list", "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.EnumerateArray().Select(d => d.GetProperty("name").GetString()).ToList();
        Assert.Equal(["HMCE-BESS-01", "WLCE-BESS-01", "WLCE-GRID-METER"], names);
        Assert.Equal(500, json.RootElement[1].GetProperty("metadata").GetProperty("capacity_kwh").GetInt32());
    }

    [Fact]
    public async Task ApplyTemplate_DryRunThenCommit_PrintsThePlanAndConfiguresTheDevices()
    {
        var template = Path.Combine(_directory, "powerpack_bess.yaml");
        await File.WriteAllTextAsync(template, SpecSamples.PowerPackTemplateAsPrinted, Cancel);

        var (dryCode, plan, _) = await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess,site=WLCE", "--store", Store);
        var (commitCode, _, summary) = await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess,site=WLCE", "--commit", "--store", Store);
        var (_, shown, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-BESS-01", "--store", Store);
        var (_, history, _) = await FluxProcess.RunAsync("devices", "history", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.DryRunHasChanges, dryCode);
        Assert.Contains("WLCE-BESS-01", plan, StringComparison.Ordinal);
        Assert.Contains("Configure", plan, StringComparison.Ordinal);
        Assert.Equal(FluxCli.Ok, commitCode);
        Assert.Contains("Committed: 1 device(s) changed", summary, StringComparison.Ordinal);
        Assert.Contains("Configured", shown, StringComparison.Ordinal);
        Assert.Contains("Registered -> Configured", history, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FluxCli.Usage, "flux: Invalid filter", "devices", "list", "--filter", "type=")]
    [InlineData(FluxCli.Usage, "flux: Unrecognized command or argument 'frobnicate'", "devices", "frobnicate")]
    [InlineData(FluxCli.Usage, "flux: Argument 'xml' not recognized", "devices", "list", "--output", "xml")]
    [InlineData(FluxCli.Failed, "flux: No device is named 'WLCE-BESS-99'.", "devices", "show", "WLCE-BESS-99")]
    public async Task BadInput_PrintsOneClearLine_AndExitsNonZero(int expectedCode, string expectedError, params string[] args)
    {
        var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);

        Assert.Equal(expectedCode, code);
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task ApplyTemplate_ABadTemplate_FailsWithItsLineAndWritesNothing()
    {
        var template = Path.Combine(_directory, "bad.yaml");
        await File.WriteAllTextAsync(template, "device_template:\n  type: bess\n  default_config:\n    polling_interval: soon\n", Cancel);

        var (code, _, error) = await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess", "--commit", "--store", Store);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--filter", "state=configured", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Contains("bad.yaml(4,23): device_template.default_config.polling_interval", error, StringComparison.Ordinal);
        Assert.Single(list.Trim().Split('\n')); // the header only: nothing configured
    }
}

/// <summary>The commands that talk to devices: against simulated devices on loopback.</summary>
public sealed class DeviceCommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-cli-").FullName;
    private Modbus.Server.ModbusTcpServer _server = null!;

    private string Store => Path.Combine(_directory, "flux.db");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new Modbus.Server.ModbusTcpServer();
        _server.AddUnit(1, new Modbus.Simulation.PowerPackBessSimulator(capacityKwh: 500, initialSoe: 0.5));
        await _server.StartAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RegistersRead_AUInt32_DecodesTwoRegistersAtTheirPduAddress()
    {
        var (code, output, error) = await FluxProcess.RunAsync("registers", "read", "--host", "127.0.0.1", "--port", $"{_server.Endpoint.Port}", "--unit", "1", "--address", "2026", "--type", "UInt32");

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        Assert.Equal("[2026]: 250000", output.Trim()); // state of energy in Wh: half of 500 kWh
    }

    [Fact]
    public async Task RegistersRead_AnUnmappedAddress_FailsWithTheDevicesException()
    {
        var (code, _, error) = await FluxProcess.RunAsync("registers", "read", "--host", "127.0.0.1", "--port", $"{_server.Endpoint.Port}", "--address", "0");

        Assert.Equal(FluxCli.Failed, code);
        Assert.Contains("02", error, StringComparison.Ordinal); // illegal data address
    }

    [Fact]
    public async Task DevicesHealth_AfterTheTemplate_PollsTheDeviceToActive()
    {
        var store = new SqliteDeviceStore(Store);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        await using (var provider = services.BuildServiceProvider())
        {
            var bess = SpecSamples.Bess();
            await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(bess with { Metadata = bess.Metadata!.With("ip_address", "127.0.0.1").With("port", (long)_server.Endpoint.Port) }, cancellationToken: Cancel);
        }

        store.ReleaseFile();
        var template = Path.Combine(_directory, "powerpack_bess.yaml");
        await File.WriteAllTextAsync(template, SpecSamples.PowerPackTemplateAsPrinted, Cancel);
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess", "--commit", "--store", Store)).Code);

        var (code, output, _) = await FluxProcess.RunAsync("devices", "health", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Matches(@"WLCE-BESS-01\s+Online\s+\d+\s+0\s+Active", output);
    }
}

/// <summary><c>flux devices scan</c> against a simulated PowerPack on loopback.</summary>
public sealed class ScanCommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-cli-").FullName;
    private Modbus.Server.ModbusTcpServer _server = null!;

    private string Store => Path.Combine(_directory, "flux.db");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = new Modbus.Server.ModbusTcpServer();
        _server.AddUnit(1, new Modbus.Simulation.PowerPackBessSimulator());
        await _server.StartAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), Cancel);
        await File.WriteAllTextAsync(Path.Combine(_directory, "powerpack_bess.yaml"), SpecSamples.PowerPackTemplateAsPrinted, Cancel);
        await File.WriteAllTextAsync(Path.Combine(_directory, "defaults.json"), """{"bess": {"capacity_kwh": 500, "max_power_kw": 100, "efficiency": 0.92}}""", Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Scan_WithRegister_StreamsJsonLinesAndRegistersOnce()
    {
        string[] scan =
        [
            "devices", "scan", "127.0.0.1", "--ports", $"{_server.Endpoint.Port}", "--units", "1", "2", "--site", "WLCE", "--register",
            "--template", Path.Combine(_directory, "powerpack_bess.yaml"), "--defaults", Path.Combine(_directory, "defaults.json"), "--output", "json", "--store", Store,
        ];

        var (code, output, error) = await FluxProcess.RunAsync(scan);
        var (againCode, again, _) = await FluxProcess.RunAsync(scan);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        using var line = JsonDocument.Parse(output.Trim());
        Assert.Equal(("bess", "PowerPack", "registered", "WLCE-BESS-1"), (line.RootElement.GetProperty("type").GetString(), line.RootElement.GetProperty("manufacturer").GetString(), line.RootElement.GetProperty("outcome").GetString(), line.RootElement.GetProperty("name").GetString()));
        Assert.Contains("scanned 1/1 hosts, 1 device(s)", error, StringComparison.Ordinal);
        Assert.Equal((FluxCli.Ok, string.Empty), (againCode, again.Trim())); // the registered endpoint is not contacted again
        Assert.Equal(2, list.Trim().Split('\n').Length); // the header and WLCE-BESS-1
    }

    [Fact]
    public async Task Scan_ABadHostList_IsBadUsage()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "scan", "224.0.0.1", "--store", Store);

        Assert.Equal(FluxCli.Usage, code);
        Assert.Contains("multicast", error, StringComparison.Ordinal);
    }
}
