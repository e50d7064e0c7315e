using System.Text.Json;
using Flux.Devices.Modbus.Tests.SunSpec;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// <c>flux devices sunspec DEVICE</c> against devices the library did not lay out: the pymodbus SunSpec devices of the
/// Modbus tests' <see cref="SunSpecDeviceFixture"/> (a battery of five models, a chain with an unknown model, a cut chain),
/// each row checked against the chain the fixture laid out.
/// </summary>
public sealed class SunSpecFixtureCommandTests(SunSpecDeviceFixture device) : FluxTestBed, IClassFixture<SunSpecDeviceFixture>
{
    [Theory]
    [InlineData(1, FluxCli.Ok)]     // battery: 1 + 802 + 803 + 804 + 804, at 40000
    [InlineData(5, FluxCli.Ok)]     // meter at base 50000
    [InlineData(6, FluxCli.Ok)]     // an unknown model (64999) between 1 and 802
    [InlineData(7, FluxCli.Failed)] // 1 + 802, then nothing: cut short
    public async Task Sunspec_PrintsAndRecordsTheChainTheFixtureLaidOut(int unit, int exitCode)
    {
        var expected = device.Unit(unit);
        var name = $"WLCE-PYMODBUS-{unit}";
        await WithRegistryAsync(async registry =>
        {
            var bess = SpecSamples.Bess(name, modbusAddress: unit);
            await registry.RegisterAsync(bess with { Metadata = bess.Metadata.With("ip_address", device.Endpoint.Host).With("port", (long)device.Endpoint.Port) }, cancellationToken: Cancel);
        });

        var (code, json, error) = await FluxProcess.RunAsync("devices", "sunspec", name, "--record", "--output", "json", "--store", Store);
        var (_, shown, _) = await FluxProcess.RunAsync("devices", "show", name, "--output", "json", "--store", Store);

        Assert.True(code == exitCode, error);
        var chain = expected.GetProperty("chain").EnumerateArray().Select(m => (m.GetProperty("id").GetInt32(), m.GetProperty("address").GetInt32(), m.GetProperty("length").GetInt32())).ToList();
        using var rows = JsonDocument.Parse(json);
        Assert.Equal(chain, rows.RootElement.EnumerateArray().Select(r => (r.GetProperty("id").GetInt32(), r.GetProperty("address").GetInt32(), r.GetProperty("length").GetInt32())));
        Assert.All(rows.RootElement.EnumerateArray(), r => Assert.Equal(r.GetProperty("id").GetInt32() == 64999, r.GetProperty("name").ValueKind == JsonValueKind.Null));
        using var stored = JsonDocument.Parse(shown);
        var metadata = stored.RootElement.GetProperty("metadata");
        Assert.Equal(chain, metadata.GetProperty("sunspec_models").EnumerateArray().Select(m => (m.GetProperty("id").GetInt32(), m.GetProperty("address").GetInt32(), m.GetProperty("length").GetInt32())));
        Assert.Equal(expected.GetProperty("base").GetInt32(), metadata.GetProperty("sunspec_base").GetInt32());
        var status = $"Recorded {chain.Count} SunSpec model(s) of {name} in its metadata (sunspec_models): version 2.\n";
        Assert.StartsWith(status, error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        if (expected.GetProperty("stopped_at").ValueKind == JsonValueKind.Null)
        {
            Assert.Equal(status, error.ReplaceLineEndings("\n"));
            Assert.False(metadata.TryGetProperty("sunspec_walk", out _));
        }
        else
        {
            var at = expected.GetProperty("stopped_at").GetInt32();
            Assert.StartsWith($"{status}flux: {name}: the SunSpec chain from 40000 stopped at address {at} after {chain.Count} model(s): reading the model id failed: ", error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
            Assert.StartsWith($"stopped at {at}: ", metadata.GetProperty("sunspec_walk").GetString(), StringComparison.Ordinal);
        }
    }
}
