using System.Text.Json;
using Flux.Devices.TestUtilities;

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
