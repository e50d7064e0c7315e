using System.Text.Json;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary><c>flux devices write</c> against the simulated PowerPack on loopback, configured by the spec's template and polled to Active.</summary>
public sealed class WriteCommandTests : PowerPackTestBed
{
    [Fact]
    public async Task Write_WithoutCommit_ShowsTheRawRegisters_SendsNothing_AndExitsThree()
    {
        await ActiveAsync();

        var (code, output, error) = await FluxProcess.RunAsync("devices", "write", "WLCE-BESS-01", "target_power=-50", "--reason", "charge from PV", "--store", Store);

        Assert.True(code == FluxCli.DryRunHasChanges, error);
        var lines = output.Trim().Split('\n');
        Assert.Matches(@"^DEVICE\s+POINT\s+VALUE\s+ADDRESS\s+FUNCTION\s+REGISTERS\s+OUTCOME$", lines[0]);
        Assert.Matches(@"^WLCE-BESS-01\s+target_power\s+-50 kW\s+2008\s+6 \(write register\)\s+FFCE\s+dry run$", lines[1]);
        Assert.Contains("Dry run: nothing was sent", error, StringComparison.Ordinal);
        Assert.Equal(0, await TargetPowerAsync());
        var (_, history, _) = await FluxProcess.RunAsync("devices", "history", "WLCE-BESS-01", "--store", Store);
        Assert.DoesNotContain("Controlled", history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_WithCommit_WritesReadsBackAndRecordsTheActorAndReason()
    {
        await ActiveAsync();

        var (code, output, error) = await FluxProcess.RunAsync(
            "devices", "write", "WLCE-BESS-01", "target_power=50", "--reason", "peak shaving", "--actor", "alice", "--commit", "--output", "json", "--store", Store);

        Assert.True(code == FluxCli.Ok, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("confirmed", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal([50], json.RootElement.GetProperty("read_back").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(50, await TargetPowerAsync());
        var (_, history, _) = await FluxProcess.RunAsync("devices", "history", "WLCE-BESS-01", "--store", Store);
        Assert.Matches(@"Controlled\s+target_power=50 Accepted\s+alice\s+peak shaving", history);
        Assert.Matches(@"Controlled\s+target_power=50 Confirmed\s+alice\s+peak shaving", history);
    }

    [Theory]
    [InlineData("target_power=150", "flux: Invalid value: 150 kW is outside ±100 kW, the device's max_power_kw")]
    [InlineData("soe=100", "flux: Invalid point: 'soe' is read-only in register map 'powerpack_bess'")]
    public async Task Write_Refused_ExitsOneNamingTheField_AndSendsNothing(string assignment, string expected)
    {
        await ActiveAsync();

        var (code, _, error) = await FluxProcess.RunAsync("devices", "write", "WLCE-BESS-01", assignment, "--reason", "test", "--commit", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.StartsWith(expected, error.Trim(), StringComparison.Ordinal);
        Assert.Equal(0, await TargetPowerAsync());
    }

    [Fact]
    public async Task Write_InMaintenance_ExitsOneNamingTheState()
    {
        await ActiveAsync();
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "maintenance", "enter", "WLCE-BESS-01", "--reason", "inverter swap", "--store", Store)).Code);

        var (code, _, error) = await FluxProcess.RunAsync("devices", "write", "WLCE-BESS-01", "target_power=50", "--reason", "test", "--commit", "--store", Store);

        Assert.Equal((FluxCli.Failed, "flux: Device WLCE-BESS-01 is Maintenance: control is disabled unless it is Active."), (code, error.Trim()));
    }

    [Theory]
    [InlineData("target_power")]
    [InlineData("=50")]
    [InlineData("target_power=NaN")]
    public async Task Write_AMalformedAssignment_IsBadUsage(string assignment)
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "write", "WLCE-BESS-01", assignment, "--reason", "test", "--store", Store);

        Assert.Equal(FluxCli.Usage, code);
        Assert.StartsWith($"flux: devices write '{assignment}':", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_WithoutAReason_IsBadUsage()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "write", "WLCE-BESS-01", "target_power=50", "--store", Store);

        Assert.Equal((FluxCli.Usage, "flux: Option '--reason' is required."), (code, error.Trim()));
    }

    /// <summary>Registers the BESS at the simulator, applies the spec's template, and polls it to Active.</summary>
    private async Task ActiveAsync()
    {
        await WithRegistryAsync(registry =>
        {
            var bess = SpecSamples.Bess();
            return registry.RegisterAsync(bess with { Metadata = bess.Metadata!.With("ip_address", "127.0.0.1").With("port", (long)Server.Endpoint.Port) }, cancellationToken: Cancel).AsTask();
        });
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "apply-template", "--template", Template, "--filter", "type=bess", "--commit", "--store", Store)).Code);
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "health", "--store", Store)).Code);
    }

    private async Task<short> TargetPowerAsync()
    {
        var (code, output, error) = await FluxProcess.RunAsync("registers", "read", "--host", "127.0.0.1", "--port", $"{Server.Endpoint.Port}", "--address", "2008", "--type", "int16", "--output", "json", "--store", Store);
        Assert.True(code == FluxCli.Ok, error);
        using var json = JsonDocument.Parse(output);
        return json.RootElement[0].GetProperty("value").GetInt16();
    }
}
