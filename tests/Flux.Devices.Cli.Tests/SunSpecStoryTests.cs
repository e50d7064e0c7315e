using System.Text.Json;
using Flux.Devices.Modbus.Tests.SunSpec;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// The README's SunSpec story, run against devices we did not write: the pymodbus server of the Modbus tests
/// (<c>sunspec_server.py</c>), whose unit 1 is a battery (models 1, 802, 803, 804 x2) and unit 2 a three-phase meter
/// (models 1, 203), laid out from the model JSON files with scale factors other than 0 and some points not implemented.
/// <c>flux devices scan --register</c> with the shipped SunSpec templates, <c>apply-template</c> of each, then
/// <c>flux devices health</c> makes them Active, and <c>flux devices read</c> prints their points with the units of
/// the model definitions and the values the fixture meant.
/// </summary>
public sealed class SunSpecStoryTests(SunSpecDeviceFixture fixture) : FluxTestBed, IClassFixture<SunSpecDeviceFixture>
{
    private static string Shipped(string file) => Path.Combine(AppContext.BaseDirectory, "templates", file);

    [Fact]
    public async Task ScanApplyHealthRead_SunSpecBatteryAndMeter_ShowTheirPointsWithUnitsAndScaledValues()
    {
        fixture.Require();
        var port = $"{fixture.Endpoint.Port}";

        var (scanCode, scan, scanError) = await FluxProcess.RunAsync(
            "devices", "scan", "127.0.0.1", "--ports", port, "--units", "1", "2", "--site", "WLCE", "--register",
            "--template", Shipped("sunspec_bess.yaml"), "--template", Shipped("sunspec_meter.yaml"), "--defaults", Shipped("site_defaults.json"),
            "--output", "json", "--store", Store);
        Assert.True(scanCode == FluxCli.Ok, $"scan: {scanCode}\n{scan}{scanError}");
        var found = scan.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("type").GetString()!, e => e.GetProperty("name").GetString()!);
        var battery = found["bess"];
        var meter = found["meter"];
        Assert.Equal(2, found.Count);
        Assert.All(scan.Trim().Split('\n'), l => Assert.Contains("\"outcome\":\"registered\"", l, StringComparison.Ordinal));

        await WithRegistryAsync(async registry =>
        {
            // Discovery named the matching template by model id, and recorded the chain the polls are planned from.
            var bess = (await registry.GetByNameAsync(battery, Cancel))!;
            var wye = (await registry.GetByNameAsync(meter, Cancel))!;
            Assert.Equal(("sunspec_bess", "sunspec_meter"), (bess.Metadata["template"].GetString(), wye.Metadata["template"].GetString()));
            Assert.Equal(JsonValueKind.Array, wye.Metadata["sunspec_models"].ValueKind);
        });

        foreach (var (template, filter) in new[] { ("sunspec_bess.yaml", "type=bess,site=WLCE"), ("sunspec_meter.yaml", "type=meter,site=WLCE") })
        {
            var (code, output, error) = await FluxProcess.RunAsync("devices", "apply-template", "--template", Shipped(template), "--filter", filter, "--commit", "--store", Store);
            Assert.True(code == FluxCli.Ok, $"apply-template {template}: {code}\n{output}{error}");
            Assert.Contains("Committed: 1 device(s) changed", error, StringComparison.Ordinal);
        }

        var (healthCode, health, healthError) = await FluxProcess.RunAsync("devices", "health", "--store", Store);
        Assert.True(healthCode == FluxCli.Ok, $"health: {healthCode}\n{health}{healthError}");
        Assert.Matches($@"(?m)^.*\s{battery}\s+Online\s+\d+\s+0\s+Active\s", health);
        Assert.Matches($@"(?m)^.*\s{meter}\s+Online\s+\d+\s+0\s+Active\s", health);

        var (readCode, read, readError) = await FluxProcess.RunAsync("devices", "read", battery, "--store", Store);
        Assert.True(readCode == FluxCli.Ok, $"read: {readCode}\n{read}{readError}");
        Assert.Matches(@"(?m)^802\.SoC\s+(\S+\s+)?%WHRtg\s+(good|not_available)\s", read);
        Assert.Matches(@"(?m)^802\.W\s+(\S+\s+)?W\s+(good|not_available)\s", read);
        // Listed in the template's order (SoC, SoH, W, ...), not by address (WHRtg, the ratings, come first in model 802).
        Assert.Equal(TemplatePoints("sunspec_bess.yaml"), read.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Split(' ')[0]));

        await AssertReadAsAsync(battery, fixture.Unit(1), ["802.SoC", "802.W", "802.SoH", "802.A", "802.V", "802.ChaSt", "802.State", "802.LocRemCtl", "802.Evt1", "802.WHRtg"]);

        // In the table, an enumeration's value is followed by its symbol, a bitfield's by its set bits' names.
        var chaSt = fixture.Unit(1).GetProperty("points").GetProperty("802.ChaSt");
        Assert.Matches($@"(?m)^802\.ChaSt\s+{chaSt.GetProperty("value").GetDouble()} \({chaSt.GetProperty("symbol").GetString()}\)\s+good\s", read);
        await AssertReadAsAsync(meter, fixture.Unit(2), ["203.Hz", "203.W", "203.TotWhImp", "203.TotWhExp", "203.AphA", "203.PhVphB", "203.WphC"]);

        var (telemetryCode, telemetry, _) = await FluxProcess.RunAsync("devices", "telemetry", meter, "--point", "203.Hz", "--store", Store);
        Assert.Equal(FluxCli.Ok, telemetryCode);
        Assert.Matches(@"(?m)^\S+\s+203\.Hz\s+\S+\s+Hz\s*$", telemetry); // stored by the health poll and the read, with the model's unit
    }

    /// <summary>The <c>points: [...]</c> of a shipped template, in its order.</summary>
    private static List<string> TemplatePoints(string file)
    {
        var text = File.ReadAllText(Shipped(file));
        var list = text[(text.IndexOf("points: [", StringComparison.Ordinal) + "points: [".Length)..];
        return [.. list[..list.IndexOf(']', StringComparison.Ordinal)].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Reads the points as JSON and compares each with the fixture's expectation: the scaled value (or missing) and the unit of the model definition.</summary>
    private async Task AssertReadAsAsync(string device, JsonElement unit, string[] points)
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "read", device, "--point", string.Join(',', points), "--output", "json", "--store", Store);
        Assert.True(code == FluxCli.Ok, $"read {device}: {code}\n{output}{error}");
        using var json = JsonDocument.Parse(output);
        var readings = json.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("point").GetString()!);
        Assert.Equal(points, readings.Keys);
        var expected = unit.GetProperty("points");
        foreach (var point in points)
        {
            var meant = expected.GetProperty(point);
            var reading = readings[point];
            var unitMeant = meant.GetProperty("unit").ValueKind == JsonValueKind.Null ? null : meant.GetProperty("unit").GetString();
            Assert.True(unitMeant == (reading.GetProperty("unit").ValueKind == JsonValueKind.Null ? null : reading.GetProperty("unit").GetString()), $"{device} {point}: unit {reading.GetProperty("unit")}, the model says {unitMeant}");
            if (meant.TryGetProperty("missing", out _))
            {
                Assert.True(reading.GetProperty("quality").GetString() == "not_available", $"{device} {point}: {reading}, the fixture left it not implemented");
            }
            else
            {
                var value = meant.GetProperty("value").GetDouble();
                Assert.True(reading.GetProperty("quality").GetString() == "good", $"{device} {point}: {reading}, the fixture meant {value}");
                Assert.True(Math.Abs(reading.GetProperty("value").GetDouble() - value) <= 1e-9 * Math.Max(1, Math.Abs(value)), $"{device} {point}: {reading.GetProperty("value")}, the fixture meant {value}");
            }

            // The symbols of the model definition: the fixture's enumeration symbol, or its bitfield's set bits, lowest first.
            var symbol = meant.TryGetProperty("symbol", out var name) ? name.GetString()
                : meant.TryGetProperty("symbols", out var names) ? string.Join(", ", names.EnumerateArray().Select(n => n.GetString())) : null;
            Assert.True(symbol == reading.GetProperty("symbol").GetString(), $"{device} {point}: symbol {reading.GetProperty("symbol")}, the fixture meant {symbol}");
        }
    }
}
