namespace Flux.Devices.Cli.Tests;

/// <summary>The README's run command: <c>flux demo</c> tells the whole story and ends with devices Active.</summary>
[Collection(nameof(DemoTests))]
[CollectionDefinition(nameof(DemoTests), DisableParallelization = true)]
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_ScansRegistersConfiguresAndPolls_EndingWithActiveDevices()
    {
        var (exitCode, text, _) = await FluxProcess.RunAsync("demo");

        Assert.Equal(0, exitCode);
        Assert.Contains("127.0.0.2", text, StringComparison.Ordinal);
        Assert.Contains("-> Registered WLCE-BESS-1", text, StringComparison.Ordinal);
        Assert.Contains("-> Registered WLCE-METER-2", text, StringComparison.Ordinal);
        Assert.Contains("(by sunspec) -> Registered", text, StringComparison.Ordinal);
        Assert.Contains("2 device(s) configured", text, StringComparison.Ordinal);
        Assert.Contains("1 meter(s) configured", text, StringComparison.Ordinal);
        Assert.Contains("[notify Information] Device WLCE-BESS-1 entering maintenance: Firmware upgrade", text, StringComparison.Ordinal);
        Assert.Contains("was not contacted: True", text, StringComparison.Ordinal);
        Assert.Matches(@"WLCE-METER-2\s+Online\s+\d+\s+0\s+Active", text);
        var registry = text[text.LastIndexOf("flux devices list", StringComparison.Ordinal)..];
        Assert.Matches(@"WLCE-BESS-1\s+bess\s+WLCE\s+Active\s+True", registry);
        Assert.Matches(@"WLCE-BESS-3\s+bess\s+WLCE\s+Active\s+True", registry);
        Assert.Matches(@"WLCE-METER-2\s+meter\s+WLCE\s+Active\s+True", registry);
        Assert.Matches(@"WLCE-BESS-127\.0\.0\.3-\d+-1\s+bess\s+WLCE\s+Registered", registry); // another manufacturer: the template skipped it
    }
}
