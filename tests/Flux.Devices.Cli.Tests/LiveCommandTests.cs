using System.Net;
using System.Text.Json;
using Flux.Devices.Specification.Tests;

namespace Flux.Devices.Cli.Tests;

/// <summary>The commands that talk to devices: against simulated devices on loopback.</summary>
public sealed class DeviceCommandTests : PowerPackTestBed
{
    [Fact]
    public async Task RegistersRead_AUInt32_DecodesTwoRegistersAtTheirPduAddress()
    {
        var (code, output, error) = await FluxProcess.RunAsync("registers", "read", "--host", "127.0.0.1", "--port", $"{Server.Endpoint.Port}", "--unit", "1", "--address", "2026", "--type", "UInt32");

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var lines = output.Trim().Split('\n');
        Assert.Matches(@"^ADDRESS\s+VALUE\s+RAW$", lines[0]);
        Assert.Matches(@"^2026\s+250000\s+0003 D090$", lines[1]); // state of energy in Wh: half of 500 kWh, high word first
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task RegistersRead_AnUnmappedAddress_FailsWithTheDevicesException()
    {
        var (code, _, error) = await FluxProcess.RunAsync("registers", "read", "--host", "127.0.0.1", "--port", $"{Server.Endpoint.Port}", "--address", "0");

        Assert.Equal(FluxCli.Failed, code);
        Assert.Equal($"flux: Modbus device 127.0.0.1:{Server.Endpoint.Port} unit 1 refused function 3: exception 02 (illegal data address).", error.Trim());
    }

    [Fact]
    public async Task DevicesHealth_ADeviceThatDoesNotAnswer_IsOfflineAndExitsOne()
    {
        await RegisterConfiguredAsync();
        await Server.DisposeAsync(); // nothing listens on its port any more: connections are refused

        var (code, output, _) = await FluxProcess.RunAsync("devices", "health", "--output", "csv", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        var row = output.Trim().Split("\r\n")[1].Split(',');
        Assert.Equal(("WLCE-BESS-01", "Offline", "Failed"), (row[1], row[2], row[5])); // the first poll failed: Testing -> Failed
    }

    [Fact]
    public async Task DevicesHealth_AfterTheTemplate_PollsTheDeviceToActive()
    {
        await RegisterConfiguredAsync();

        var (code, output, _) = await FluxProcess.RunAsync("devices", "health", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Matches(@"WLCE-BESS-01\s+Online\s+\d+\s+0\s+Active", output);
    }

    [Fact]
    public async Task DevicesHealthWatch_PrintsEachSampleAsJsonLines_UntilStopped()
    {
        await RegisterConfiguredAsync();

        await using var watch = FluxProcess.Start("devices", "health", "--watch", "--output", "json", "--store", Store);
        var line = await watch.WaitForLineAsync(l => l.StartsWith('{'));
        var code = await watch.StopAsync();
        var (_, shown, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-BESS-01", "--output", "json", "--store", Store);

        using var sample = JsonDocument.Parse(line);
        Assert.Equal("WLCE-BESS-01", sample.RootElement.GetProperty("device_name").GetString());
        Assert.Equal("online", sample.RootElement.GetProperty("sample").GetProperty("status").GetString());
        Assert.Equal(FluxCli.Ok, code);
        Assert.Contains("Ctrl+C to stop", watch.Error.ToString(), StringComparison.Ordinal);
        using var device = JsonDocument.Parse(shown);
        Assert.Equal("active", device.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task DevicesHealthWatch_WithAFilter_IsBadUsage()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "health", "--watch", "--filter", "type=bess", "--store", Store);

        Assert.Equal(FluxCli.Usage, code);
        Assert.Contains("--filter is for a one-off check", error, StringComparison.Ordinal);
    }

    private async Task RegisterConfiguredAsync()
    {
        await WithRegistryAsync(registry =>
        {
            var bess = SpecSamples.Bess();
            return registry.RegisterAsync(bess with { Metadata = bess.Metadata!.With("ip_address", "127.0.0.1").With("port", (long)Server.Endpoint.Port) }, cancellationToken: Cancel).AsTask();
        });
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "apply-template", "--template", Template, "--filter", "type=bess", "--commit", "--store", Store)).Code);
    }
}

/// <summary><c>flux devices scan</c> against a simulated PowerPack on loopback.</summary>
public sealed class ScanCommandTests : PowerPackTestBed
{
    [Fact]
    public async Task Scan_WithRegister_StreamsJsonLinesAndRegistersOnce()
    {
        string[] scan =
        [
            "devices", "scan", "127.0.0.1", "--ports", $"{Server.Endpoint.Port}", "--units", "1", "2", "--site", "WLCE", "--register",
            "--template", Template, "--defaults", Defaults, "--output", "json", "--store", Store,
        ];

        var (code, output, error) = await FluxProcess.RunAsync(scan);
        var (againCode, again, againError) = await FluxProcess.RunAsync(scan);
        var (rescanCode, rescan, rescanError) = await FluxProcess.RunAsync([.. scan, "--rescan-registered"]);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        using var line = JsonDocument.Parse(output.Trim());
        Assert.Equal(("bess", "PowerPack", "registered", "WLCE-BESS-1"), (line.RootElement.GetProperty("type").GetString(), line.RootElement.GetProperty("manufacturer").GetString(), line.RootElement.GetProperty("outcome").GetString(), line.RootElement.GetProperty("name").GetString()));
        Assert.Contains("scanned 1/1 hosts, 1 device(s)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not contacted", error, StringComparison.Ordinal);
        Assert.Equal((FluxCli.Ok, string.Empty), (againCode, again.Trim())); // the registered unit is not contacted again...
        Assert.Contains("1 unit id(s) of registered devices not contacted; --rescan-registered asks them too.", againError, StringComparison.Ordinal); // ...and it says so
        Assert.Equal(FluxCli.Ok, rescanCode);
        using var rescanned = JsonDocument.Parse(rescan.Trim());
        Assert.Equal(("already_registered", "WLCE-BESS-1"), (rescanned.RootElement.GetProperty("outcome").GetString(), rescanned.RootElement.GetProperty("name").GetString()));
        Assert.DoesNotContain("not contacted", rescanError, StringComparison.Ordinal);
        Assert.Equal(2, list.Trim().Split('\n').Length); // the header and WLCE-BESS-1
    }

    [Fact]
    public async Task Scan_ABadHostList_IsBadUsage()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "scan", "224.0.0.1", "--store", Store);

        Assert.Equal(FluxCli.Usage, code);
        Assert.Contains("multicast", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_OnATerminal_DrawsAProgressBarOnStderr_AndKeepsJsonOnStdout()
    {
        var (code, output, error) = await FluxProcess.RunAsync(
            (o, e) => new CliConsole(o, e, ErrorIsTerminal: true),
            "devices", "scan", "127.0.0.1", "--ports", $"{Server.Endpoint.Port}", "--units", "1", "--template", Template, "--defaults", Defaults, "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Contains("━", error, StringComparison.Ordinal);
        Assert.Contains("100%", error, StringComparison.Ordinal);
        Assert.Contains("scanning: 1 device(s)", error, StringComparison.Ordinal);
        using var line = JsonDocument.Parse(output.Trim());
        Assert.Equal("would_register", line.RootElement.GetProperty("outcome").GetString()); // no --register: a dry run
    }

    [Fact]
    public async Task Scan_AsCsv_HasAHeaderAndARowPerDevice()
    {
        var (code, output, _) = await FluxProcess.RunAsync(
            "devices", "scan", "127.0.0.1", "--ports", $"{Server.Endpoint.Port}", "--units", "1", "--template", Template, "--defaults", Defaults, "--output", "csv", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Equal(
            $"endpoint,unit,type,manufacturer,model,outcome,name,detail\r\n127.0.0.1:{Server.Endpoint.Port},1,bess,PowerPack,PP-500,WouldRegister,SITE-BESS-1,\r\n",
            output);
    }

    [Fact]
    public async Task Scan_RegisteringWithoutNameplateData_ExitsOne_AndNamesTheMissingFields_AsItsDryRunSaid()
    {
        string[] scan = ["devices", "scan", "127.0.0.1", "--ports", $"{Server.Endpoint.Port}", "--units", "1", "--site", "WLCE", "--template", Template, "--store", Store];

        var (previewCode, preview, previewError) = await FluxProcess.RunAsync(scan);
        var (code, output, error) = await FluxProcess.RunAsync([.. scan, "--register"]);
        var (_, list, _) = await FluxProcess.RunAsync("devices", "list", "--output", "csv", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Matches(@"Invalid\s+WLCE-BESS-1\s+.*metadata\.capacity_kwh", output);
        Assert.Contains("1 device(s) could not be registered", error, StringComparison.Ordinal);
        Assert.Equal((FluxCli.Failed, output), (previewCode, preview)); // the dry run showed exactly this
        Assert.Contains("1 device(s) would not be registered", previewError, StringComparison.Ordinal);
        Assert.Equal("name,type,site,state,active,version", list.Trim()); // nothing written
    }
}

/// <summary><c>flux simulate</c>: a site on 127.0.0.2 and 127.0.0.3 until stopped.</summary>
public sealed class SimulateCommandTests
{
    [Fact]
    public async Task Simulate_PrintsItsEndpointsAsJson_AnswersUntilStopped()
    {
        SimulatedEndpointJson[] endpoints;
        await using (var simulate = FluxProcess.Start("simulate", "--site", "WLCE", "--port", "0", "--output", "json"))
        {
            var line = await simulate.WaitForLineAsync(l => l.StartsWith('{'));
            using var json = JsonDocument.Parse(line);
            Assert.Equal("WLCE", json.RootElement.GetProperty("site").GetString());
            endpoints = json.RootElement.GetProperty("endpoints").Deserialize<SimulatedEndpointJson[]>(CliOutput.Compact)!;
            Assert.Equal([("127.0.0.2", 1, "bess"), ("127.0.0.2", 2, "meter"), ("127.0.0.2", 3, "bess"), ("127.0.0.3", 1, "bess")], endpoints.Select(e => (e.Host, e.UnitId, e.Type)));

            var bess = endpoints[0];
            var (readCode, read, _) = await FluxProcess.RunAsync("registers", "read", "--host", bess.Host, "--port", $"{bess.Port}", "--unit", "1", "--address", "2026", "--type", "uint32", "--output", "json");
            var sunspec = endpoints[3];
            var (markerCode, marker, _) = await FluxProcess.RunAsync("registers", "read", "--host", sunspec.Host, "--port", $"{sunspec.Port}", "--address", "40000", "--count", "2", "--output", "csv");

            Assert.Equal(FluxCli.Ok, readCode);
            using var value = JsonDocument.Parse(read);
            Assert.Equal(250_000, value.RootElement[0].GetProperty("value").GetInt32()); // half of 500 kWh, in Wh
            Assert.Equal(FluxCli.Ok, markerCode);
            Assert.Equal("address,value,raw\r\n40000,21365,5375\r\n40001,28243,6E53\r\n", marker); // "SunS"
            Assert.Equal(FluxCli.Ok, await simulate.StopAsync());
            Assert.Contains("Stopped.", simulate.Error.ToString(), StringComparison.Ordinal);
        }

        var (afterCode, _, after) = await FluxProcess.RunAsync("registers", "read", "--host", endpoints[0].Host, "--port", $"{endpoints[0].Port}", "--address", "2026");
        Assert.Equal(FluxCli.Failed, afterCode); // the site is gone
        Assert.StartsWith("flux: ", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_OnATakenPort_SaysSoAndFails()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Parse("127.0.0.3"), 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, _, error) = await FluxProcess.RunAsync("simulate", "--port", $"{port}");

        Assert.Equal(FluxCli.Failed, code);
        Assert.Contains($"flux: cannot listen on port {port} of 127.0.0.2 and 127.0.0.3", error, StringComparison.Ordinal);
    }

    private sealed record SimulatedEndpointJson(string Host, int Port, int UnitId, string Type);
}
