using System.Text.Json;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

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
