namespace Flux.Devices.Cli.Tests;

/// <summary>The README's run command: <c>flux demo</c> tells the whole story: devices Active, readings, a setpoint, a scheduled maintenance window, a decommission and its archive.</summary>
[Collection(nameof(DemoTests))]
[CollectionDefinition(nameof(DemoTests), DisableParallelization = true)]
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_ScansRegistersConfiguresPolls_ReadsWritesGoesThroughAScheduledWindow_AndArchivesADecommissionedDevice()
    {
        var (exitCode, text, _) = await FluxProcess.RunAsync("demo");

        Assert.Equal(0, exitCode);
        Assert.Contains("127.0.0.2", text, StringComparison.Ordinal);
        Assert.Contains("-> Registered WLCE-BESS-1", text, StringComparison.Ordinal);
        Assert.Contains("-> Registered WLCE-METER-2", text, StringComparison.Ordinal);
        Assert.Matches(@"127\.0\.0\.3:\d+ unit 4: meter SunSpecSim SIM-METER-1 \(by sunspec\) -> Registered WLCE-METER-4", text);
        Assert.Contains("(by sunspec) -> Registered", text, StringComparison.Ordinal);
        Assert.Contains("2 device(s) configured", text, StringComparison.Ordinal);
        Assert.Contains("1 meter(s) configured", text, StringComparison.Ordinal);
        Assert.Contains("[notify Information] Device WLCE-BESS-1 entering maintenance: Firmware upgrade", text, StringComparison.Ordinal);
        Assert.Contains("was not contacted: True; new stored readings: 0", text, StringComparison.Ordinal);

        // The readings, the setpoint, the scheduled window, the decommission and its archive.
        var read = text[text.IndexOf("flux devices read WLCE-BESS-1", StringComparison.Ordinal)..];
        Assert.Matches(@"soe\s+250\s+kWh\s+good", read);
        Assert.Matches(@"target_power\s+0\s+kW\s+good", read);
        Assert.Matches(@"available_blocks\s+10\s+good", read);
        Assert.Matches(@"WLCE-BESS-1\s+target_power\s+50 kW\s+2008\s+6 \(write register\)\s+0032\s+confirmed", text);
        Assert.Contains("next poll: target_power 50 kW", text, StringComparison.Ordinal);
        Assert.Matches(@"WLCE-BESS-1\s+\S+ \S+Z\s+\S+ \S+Z\s+2h\s+scheduled\s+Firmware upgrade", text);
        Assert.Matches(@"refused: .* is Maintenance: control is disabled", text);
        Assert.Contains("[notify Information] Device WLCE-BESS-1 leaving maintenance", text, StringComparison.Ordinal);
        Assert.Matches(@"WLCE-BESS-1\s+\S+ \S+Z\s+\S+ \S+Z\s+2h\s+completed\s+Firmware upgrade", text);
        var history = text[text.IndexOf("flux devices history WLCE-BESS-1", StringComparison.Ordinal)..];
        Assert.Matches(@"Controlled\s+target_power=50 Confirmed", history);
        Assert.Matches(@"Controlled\s+target_power=20 Refused", history);
        Assert.Matches(@"Maintenance -> Testing\s+ExitMaintenance", history);
        Assert.Matches(@"Testing -> Active\s+PollSucceeded\s+health-monitor\s+Poll succeeded in \d+ ms\s+flux devices decommission", history);
        Assert.Matches(@"WLCE-BESS-3: \d+ lines to \S+\.jsonl: 1 device, 5 history, (\d+) health \(\1 archived\), (\d+) telemetry \(\2 archived\)\.", text);
        Assert.DoesNotMatch(@"WLCE-BESS-3: .* 0 telemetry", text);
        Assert.Matches(@"WLCE-METER-2\s+Online\s+\d+\s+0\s+Active", text);
        var registry = text[text.LastIndexOf("flux devices list", StringComparison.Ordinal)..];
        Assert.Matches(@"WLCE-BESS-1\s+bess\s+WLCE\s+Active\s+True", registry);
        Assert.Matches(@"WLCE-BESS-3\s+bess\s+WLCE\s+Decommissioned\s+False", registry);
        Assert.Matches(@"WLCE-METER-2\s+meter\s+WLCE\s+Active\s+True", registry);
        Assert.Matches(@"WLCE-BESS-127\.0\.0\.3-\d+-1\s+bess\s+WLCE\s+Registered", registry); // another manufacturer: the template skipped it
        Assert.Matches(@"WLCE-METER-4\s+meter\s+WLCE\s+Registered", registry); // the SunSpec meter: skipped by the Acuvim template
    }
}
