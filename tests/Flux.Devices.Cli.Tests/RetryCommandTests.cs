using Flux.Devices.Modbus.Simulation;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary><c>flux devices retry</c>, and Failed devices in <c>flux devices health</c>: the simulated PowerPack on loopback, gone and back.</summary>
public sealed class RetryCommandTests : PowerPackTestBed
{
    [Fact]
    public async Task DevicesRetry_AFailedDeviceThatAnswersAgain_IsActive_ThroughTesting()
    {
        await RegisterFailedAsync();
        Server.AddUnit(1, new PowerPackBessSimulator(capacityKwh: 500, initialSoe: 0.5)); // it answers again

        var (code, output, _) = await FluxProcess.RunAsync("devices", "retry", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Matches(@"\n[^\n]+\sWLCE-BESS-01\s+Online\s+\d+\s+0\s+Active\s", output);
        var history = (await FluxProcess.RunAsync("devices", "history", "WLCE-BESS-01", "--store", Store)).Output;
        Assert.Matches(@"Failed -> Testing\s+Retry\s+health-monitor\s+Failed device answered a probe in \d+ ms", history);
        Assert.Matches(@"Testing -> Active\s+PollSucceeded\s+health-monitor", history);
        Assert.Equal(FluxCli.Ok, (await FluxProcess.RunAsync("devices", "read", "WLCE-BESS-01", "--store", Store)).Code);
    }

    [Fact]
    public async Task DevicesRetry_AFailedDeviceThatStillDoesNotAnswer_ExitsOne_AndStaysFailed()
    {
        await RegisterFailedAsync();

        var (code, output, error) = await FluxProcess.RunAsync("devices", "retry", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Matches(@"\n[^\n]+\sWLCE-BESS-01\s+Offline\s+2\s+Failed\s", output);
        Assert.Matches(@"^flux: WLCE-BESS-01 did not answer: .*; it stays Failed\.$", error.Trim());
        Assert.Contains("Failed", (await FluxProcess.RunAsync("devices", "show", "WLCE-BESS-01", "--store", Store)).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevicesRetry_ADeviceNotFailed_ExitsOne_WithoutPollingIt()
    {
        await RegisterConfiguredAsync();

        var (code, _, error) = await FluxProcess.RunAsync("devices", "retry", "WLCE-BESS-01", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Equal("flux: WLCE-BESS-01 is Configured: only a Failed device is retried.", error.Trim());
        Assert.Equal(0, Server.RequestCount);
    }

    [Fact]
    public async Task DevicesHealth_ListsAFailedDeviceWithItsState_AndExitsOne()
    {
        await RegisterFailedAsync();

        var (code, output, error) = await FluxProcess.RunAsync("devices", "health", "--store", Store);

        Assert.Equal(FluxCli.Failed, code);
        Assert.Matches(@"\n[^\n]+\sWLCE-BESS-01\s+Offline\s+2\s+Failed\s", output);
        Assert.DoesNotContain("No device to poll", error, StringComparison.Ordinal);
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

    /// <summary>Registers and configures the PowerPack while the server does not serve its unit: its test poll fails and it is Failed.</summary>
    private async Task RegisterFailedAsync()
    {
        Server.RemoveUnit(1); // the server answers "gateway target failed to respond"
        await RegisterConfiguredAsync();
        Assert.Equal(FluxCli.Failed, (await FluxProcess.RunAsync("devices", "health", "--store", Store)).Code);
    }
}
