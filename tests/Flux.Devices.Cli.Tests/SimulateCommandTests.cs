using System.Net;
using System.Text.Json;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

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
            Assert.Equal([("127.0.0.2", 1, "bess"), ("127.0.0.2", 2, "meter"), ("127.0.0.2", 3, "bess"), ("127.0.0.3", 1, "bess"), ("127.0.0.3", 4, "meter")], endpoints.Select(e => (e.Host, e.UnitId, e.Type)));

            var bess = endpoints[0];
            var (readCode, read, _) = await FluxProcess.RunAsync("registers", "read", "--host", bess.Host, "--port", $"{bess.Port}", "--unit", "1", "--address", "2026", "--type", "uint32", "--output", "json");
            var sunspec = endpoints[3];
            var (markerCode, marker, _) = await FluxProcess.RunAsync("registers", "read", "--host", sunspec.Host, "--port", $"{sunspec.Port}", "--address", "40000", "--count", "2", "--output", "csv");

            Assert.Equal(FluxCli.Ok, readCode);
            using var value = JsonDocument.Parse(read);
            Assert.Equal(250_000, value.RootElement[0].GetProperty("value").GetInt32()); // half of 500 kWh, in Wh
            var meter = endpoints[4];
            var (modelCode, model, _) = await FluxProcess.RunAsync("registers", "read", "--host", meter.Host, "--port", $"{meter.Port}", "--unit", "4", "--address", "40070", "--count", "2", "--output", "csv");

            Assert.Equal(FluxCli.Ok, markerCode);
            Assert.Equal("address,value,raw\r\n40000,21365,5375\r\n40001,28243,6E53\r\n", marker); // "SunS"
            Assert.Equal(FluxCli.Ok, modelCode);
            Assert.Equal("address,value,raw\r\n40070,203,00CB\r\n40071,105,0069\r\n", model); // after the marker and the common model (2 + 2 + 66 registers): 203, L = 105
            Assert.Equal(FluxCli.Ok, await simulate.StopAsync());
            Assert.Contains("Stopped.", simulate.Error.ToString(), StringComparison.Ordinal);
        }

        var (afterCode, _, after) = await FluxProcess.RunAsync("registers", "read", "--host", endpoints[0].Host, "--port", $"{endpoints[0].Port}", "--address", "2026");
        Assert.Equal(FluxCli.Failed, afterCode); // the site is gone
        Assert.StartsWith("flux: ", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_WithFramingRtu_AnswersRtuOverTcp_AndSuggestsTheScanWithIt()
    {
        await using var simulate = FluxProcess.Start("simulate", "--site", "WLCE", "--port", "0", "--framing", "rtu", "--output", "json");
        var line = await simulate.WaitForLineAsync(l => l.StartsWith('{'));
        using var json = JsonDocument.Parse(line);
        var bess = json.RootElement.GetProperty("endpoints").Deserialize<SimulatedEndpointJson[]>(CliOutput.Compact)![0];

        var (code, read, error) = await FluxProcess.RunAsync("registers", "read", "--host", $"rtu+tcp://{bess.Host}:{bess.Port}", "--unit", "1", "--address", "2026", "--type", "uint32", "--output", "json");

        Assert.True(code == FluxCli.Ok, error);
        using var value = JsonDocument.Parse(read);
        Assert.Equal(250_000, value.RootElement[0].GetProperty("value").GetInt32());
        Assert.Equal(FluxCli.Ok, await simulate.StopAsync());
        Assert.Contains("--framing rtu --site WLCE", simulate.Error.ToString(), StringComparison.Ordinal);
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
