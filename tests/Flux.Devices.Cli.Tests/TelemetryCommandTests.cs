using System.Text.Json;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary><c>flux devices read</c> and <c>flux devices health --points</c>: telemetry against the simulated PowerPack (500 kWh, half full) on loopback.</summary>
public sealed class TelemetryCommandTests : PowerPackTestBed
{
    [Fact]
    public async Task DevicesRead_AnActivePowerPack_PrintsEveryPointWithItsUnit()
    {
        await RegisterActiveAsync();

        var (code, output, error) = await FluxProcess.RunAsync("devices", "read", "WLCE-BESS-01", "--store", Store);

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var lines = output.Trim().Split('\n');
        Assert.Matches(@"^POINT\s+VALUE\s+UNIT\s+QUALITY\s+TIME$", lines[0]);
        Assert.Matches(@"^status\s+0\s+good\s", lines[1]);
        Assert.Matches(@"^target_power\s+0\s+kW\s+good\s", lines[2]);
        Assert.Matches(@"^soe\s+250\s+kWh\s+good\s", lines[3]); // 250,000 Wh x 0.001
        Assert.Matches(@"^available_blocks\s+10\s+good\s", lines[4]);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public async Task DevicesRead_NamedPointsAsJson_PrintsThoseInTheOrderGiven()
    {
        await RegisterActiveAsync();

        var (code, output, _) = await FluxProcess.RunAsync("devices", "read", "WLCE-BESS-01", "--point", "soe", "--point", "available_blocks,soe", "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(
            [("soe", 250.0, "kWh", "good"), ("available_blocks", 10.0, null, "good")],
            json.RootElement.EnumerateArray().Select(r => (r.GetProperty("point").GetString(), r.GetProperty("value").GetDouble(), r.GetProperty("unit").GetString(), r.GetProperty("quality").GetString())));
    }

    [Fact]
    public async Task DevicesRead_ADeviceThatDoesNotAnswer_ExitsOne()
    {
        await RegisterActiveAsync();
        await Server.DisposeAsync(); // connections are refused

        var (code, output, error) = await FluxProcess.RunAsync("devices", "read", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Equal(string.Empty, output);
        var lines = error.Trim().Split('\n');
        Assert.StartsWith("[notify Warning] Device WLCE-BESS-01 is offline: ", lines[0], StringComparison.Ordinal); // an Active device's notice
        Assert.Matches(@"^flux: WLCE-BESS-01 did not answer: .*[^.]\.$", lines[^1]);
    }

    [Fact]
    public async Task DevicesRead_ADeviceNotActive_ExitsOne_WithoutPollingIt()
    {
        await RegisterConfiguredAsync();

        var (code, _, error) = await FluxProcess.RunAsync("devices", "read", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Equal("flux: WLCE-BESS-01 is Configured: only an Active device gives telemetry.", error.Trim());
        Assert.Equal(0, Server.RequestCount);
    }

    [Fact]
    public async Task DevicesRead_APointTheMapDoesNotHave_IsBadUsage_NamingThePoints()
    {
        await RegisterConfiguredAsync();

        var (code, _, error) = await FluxProcess.RunAsync("devices", "read", "WLCE-BESS-01", "--point", "soc", "--store", Store);

        Assert.Equal(FluxCli.Usage, code);
        Assert.Equal("flux: --point soc: WLCE-BESS-01 has no such point; its points are status, target_power, soe, available_blocks.", error.Trim());
    }

    [Fact]
    public async Task DevicesHealth_WithPoints_ShowsTheirLatestReadingsBesideTheHealth()
    {
        await RegisterActiveAsync();

        var (code, output, _) = await FluxProcess.RunAsync("devices", "health", "--points", "soe,target_power", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        var lines = output.Trim().Split('\n');
        Assert.Matches(@"^TIME\s+NAME\s+STATUS\s+MS\s+ERRORS\s+STATE\s+LAST GOOD POLL\s+SOE\s+TARGET_POWER\s+ERROR$", lines[0]);
        Assert.Matches(@"WLCE-BESS-01\s+Online\s+\d+\s+0\s+Active\s+\S+ \S+\s+250 kWh\s+0 kW$", lines[1]);
    }

    [Fact]
    public async Task DevicesHealthWatch_WithPoints_PrintsThemInEachJsonLine()
    {
        await RegisterActiveAsync();

        await using var watch = FluxProcess.Start("devices", "health", "--watch", "--points", "soe", "--output", "json", "--store", Store);
        var line = await watch.WaitForLineAsync(l => l.StartsWith('{'));
        var code = await watch.StopAsync();

        Assert.Equal(FluxCli.Ok, code);
        using var sample = JsonDocument.Parse(line);
        Assert.Equal("WLCE-BESS-01", sample.RootElement.GetProperty("device_name").GetString());
        var soe = sample.RootElement.GetProperty("points").GetProperty("soe");
        Assert.Equal((250.0, "kWh", "good"), (soe.GetProperty("value").GetDouble(), soe.GetProperty("unit").GetString(), soe.GetProperty("quality").GetString()));
    }

    private async Task RegisterConfiguredAsync()
    {
        await WithRegistryAsync(registry =>
        {
            var bess = SpecSamples.Bess("WLCE-BESS-01");
            return registry.RegisterAsync(bess with { Metadata = bess.Metadata!.With("ip_address", "127.0.0.1").With("port", (long)Server.Endpoint.Port) }, cancellationToken: Cancel).AsTask();
        });
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "apply-template", "--template", Template, "--filter", "type=bess", "--commit", "--store", Store)).Code);
    }

    /// <summary>Registers and configures the PowerPack, and polls it once: its test poll makes it Active.</summary>
    private async Task RegisterActiveAsync()
    {
        await RegisterConfiguredAsync();
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "health", "--store", Store)).Code);
    }
}
