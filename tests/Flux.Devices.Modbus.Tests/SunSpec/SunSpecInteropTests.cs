using System.Text.Json;
using Flux.Devices.Discovery;
using Flux.Devices.Modbus.Client;
using Flux.Devices.RegisterMaps;
using Flux.Devices.SunSpec;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.SunSpec;

/// <summary>
/// The SunSpec chain walk, register map, read planner and decoder against devices the library did not lay out: the
/// pymodbus devices of <see cref="SunSpecDeviceFixture"/>, each point checked against the value the fixture meant.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class SunSpecInteropTests(SunSpecDeviceFixture device) : IClassFixture<SunSpecDeviceFixture>, IAsyncDisposable
{
    private readonly ModbusTcpTransport _client = new(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(10) });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    [Theory]
    [InlineData(1)] // battery: 1 + 802 + 803 (2 strings) + 804 (3 modules) + 804 (2 modules), at 40000
    [InlineData(2)] // three-phase meter: 1 + 203
    [InlineData(3)] // inverter: 1 + 103 + 120 + 123
    [InlineData(4)] // battery at base 0
    [InlineData(5)] // meter at base 50000
    [InlineData(6)] // an unknown model (64999) between 1 and 802
    [InlineData(7)] // 1 + 802 and no end model: the chain is cut short
    [InlineData(8)] // 1 + 705 (3 curves of 4 points) + 707 (2 curve sets of 3 groups of 3 points): groups inside repeating groups
    public async Task WalkMapAndRead_DecodeEveryPointAsTheFixtureMeant(int unit)
    {
        var expected = device.Unit(unit);

        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, (byte)unit, Cancel);
        Assert.NotNull(chain);
        var map = await SunSpecRegisterMap.ReadAsync(chain, _client, device.Endpoint, (byte)unit, cancellationToken: Cancel);
        var plan = SunSpecReadPlan.Create(map);
        var readings = await plan.ReadAsync(_client, device.Endpoint, (byte)unit, Cancel);

        Assert.Equal(expected.GetProperty("base").GetInt32(), chain.BaseAddress);
        Assert.Equal(Chain(expected), chain.Models);
        if (expected.GetProperty("stopped_at").ValueKind == JsonValueKind.Null)
        {
            Assert.True(chain.IsComplete, chain.Error?.Message);
        }
        else
        {
            Assert.Equal(expected.GetProperty("stopped_at").GetInt32(), chain.Error?.Address);
        }

        Assert.Empty(map.Problems);
        Assert.All(plan.Reads, r => Assert.InRange(r.Count, 1, 125));
        AssertReadings(expected.GetProperty("points"), readings);
    }

    [Fact]
    public async Task Battery_RepeatingGroupsByIndex_ScaleFactorsNotImplemented_AndTheFewestReads()
    {
        var expected = device.Unit(1).GetProperty("points");
        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 1, Cancel);
        var map = SunSpecRegisterMap.Create(chain!);
        var plan = SunSpecReadPlan.Create(map);

        var readings = (await plan.ReadAsync(_client, device.Endpoint, 1, Cancel)).ToDictionary(r => r.Name);

        // The fixture's own choices, so that the comparison above is not vacuous: a repeating group of each 804 by index,
        // a scale factor left "not implemented" (DoD_SF) making its points missing, and scaled values.
        Assert.Contains("804[1].lithium_ion_string_module[3].ModSoC", readings.Keys);
        Assert.Contains("804[2].lithium_ion_string_module[2].ModSoC", readings.Keys);
        Assert.DoesNotContain("804[2].lithium_ion_string_module[3].ModSoC", readings.Keys);
        Assert.Contains("803.string[2].StrSoC", readings.Keys);
        Assert.True(expected.GetProperty("802.DoD").GetProperty("missing").GetBoolean());
        Assert.False(readings["802.DoD"].IsAvailable);
        Assert.Contains(readings.Values, r => r.Value is { } v && v != Math.Floor(v)); // scaled down
        Assert.Contains(readings.Values, r => r.Value is { } v && Math.Abs(v) >= 1e6); // scaled up
        // 40002..40401 is one run of 400 registers (pads only between points): at least 4 reads of 125, and no more.
        Assert.Equal(4, plan.Reads.Count);
        Assert.Equal(40002, plan.Reads[0].Start);
    }

    [Fact]
    public async Task Curves_GroupsInsideRepeatingGroups_AreMappedByTheDevicesCounts_AndEachValueDecodes()
    {
        var expected = device.Unit(8).GetProperty("points");
        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 8, Cancel);

        var blind = SunSpecRegisterMap.Create(chain!); // without the device's counts, the curves cannot be placed
        var map = await SunSpecRegisterMap.ReadAsync(chain!, _client, device.Endpoint, 8, cancellationToken: Cancel);
        var curve = map.Points.Where(p => p.Name.StartsWith("705.Crv[", StringComparison.Ordinal)).Select(p => p.Name).ToList();
        var readings = await SunSpecReadPlan.Create(map, curve.Append("707.Crv[2].MomCess.Pt[3].V").Append("707.Crv[1].MustTrip.Pt[1].V")).ReadAsync(_client, device.Endpoint, 8, Cancel);

        Assert.Equal(
            ["model 705 at 40070 (length 67): the size of group Crv depends on a count that could not be read; it and what follows are not mapped",
             "model 707 at 40139 (length 69): the size of group Crv depends on a count that could not be read; it and what follows are not mapped"],
            blind.Problems);
        Assert.Empty(map.Problems);
        // 3 curves of 9 points (ActPt, DeptRef, Pri, VRef, VRefAuto, VRefAutoEna, VRefAutoTms, RspTms, ReadOnly) and 4 points (V, Var) each.
        Assert.Equal(3 * (9 + (4 * 2)), curve.Count);
        Assert.Equal(
            [.. from c in Enumerable.Range(1, 3) from p in Enumerable.Range(1, 4) from v in new[] { "V", "Var" } select $"705.Crv[{c}].Pt[{p}].{v}"],
            curve.Where(n => n.Contains(".Pt[", StringComparison.Ordinal)));
        // The curves' last point ends where model 705 ends: 15 registers, then 3 x (10 + 4 x 2).
        Assert.Equal(40070 + 15 + (3 * 18), map.Points[Find(map, "705.Crv[3].Pt[4].Var")].End);
        Assert.Equal("705.V_SF", map.Points[map.Points[Find(map, "705.Crv[2].Pt[3].V")].ScaleFactorIndex].Name);
        Assert.Equal("705.DeptRef_SF", map.Points[map.Points[Find(map, "705.Crv[2].Pt[3].Var")].ScaleFactorIndex].Name);
        Assert.False(map.TryFind("705.Crv[4].Pt[1].V", out _));
        Assert.False(map.TryFind("705.Crv[1].Pt[5].V", out _));
        Assert.Equal(curve.Count + 2, readings.Count);
        Assert.Contains(readings, r => r.Name.Contains(".Pt[", StringComparison.Ordinal) && r.Value is { } v && v != Math.Floor(v)); // scaled down by V_SF or DeptRef_SF
        AssertReadings(expected, readings, only: true);
    }

    [Fact]
    public async Task PollOfARecordedChain_LeavesCurvePointsOut_AndPollsTheModelsOwnPoints()
    {
        // The documented limit: a poll plans from the recorded chain alone, without the counts that place the curves.
        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 8, Cancel);
        var metadata = chain!.AddTo(DeviceMetadata.Empty);

        Assert.True(SunSpecPollPlan.TryCreate(metadata, ["705.Crv[1].Pt[1].V", "705.NPt", "705.V_SF", "707.Crv[1].MustTrip.Pt[1].V"], out var plan, out var problem), problem);
        Assert.False(SunSpecPollPlan.TryCreate(metadata, ["705.Crv[1].Pt[1].V"], out _, out problem));

        Assert.Equal(["705.NPt", "705.V_SF"], Enumerable.Range(0, plan.Plan.ReportedCount).Select(i => plan.Plan.Slots[plan.Plan.ReportedSlot(i)].Name));
        Assert.Contains("none of the configuration's SunSpec points (705.Crv[1].Pt[1].V) is on the device", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SomePoints_ReadWithTheirOwnScaleFactors_InOneRequest()
    {
        var expected = device.Unit(2).GetProperty("points");
        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 2, Cancel);
        var map = SunSpecRegisterMap.Create(chain!);

        var plan = SunSpecReadPlan.Create(map, ["203.Hz", "203.W", "203.TotWhImp"]);
        var readings = await plan.ReadAsync(_client, device.Endpoint, 2, Cancel);

        Assert.Equal(["203.Hz", "203.W", "203.TotWhImp"], readings.Select(r => r.Name));
        Assert.Equal(["203.Hz", "203.Hz_SF", "203.W", "203.W_SF", "203.TotWhImp", "203.TotWh_SF"], plan.Slots.Select(s => s.Name));
        Assert.Single(plan.Reads);
        AssertReadings(expected, readings, only: true);
    }

    [Fact]
    public async Task PointsOutOfAddressOrder_AreReportedInTheOrderAskedFor_AndReadAsInAddressOrder()
    {
        var expected = device.Unit(2).GetProperty("points");
        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 2, Cancel);
        var map = SunSpecRegisterMap.Create(chain!);
        var byAddress = SunSpecReadPlan.Create(map, ["203.AphA", "203.Hz", "203.W", "203.TotWhImp"]);

        var plan = SunSpecReadPlan.Create(map, ["203.TotWhImp", "203.Hz", "203.AphA", "203.W", "203.Hz"]);
        var readings = await plan.ReadAsync(_client, device.Endpoint, 2, Cancel);

        Assert.Equal(["203.TotWhImp", "203.Hz", "203.AphA", "203.W"], readings.Select(r => r.Name)); // a repeat once, where it came first
        Assert.Equal(byAddress.Slots.Select(s => s.Name), plan.Slots.Select(s => s.Name));
        Assert.Equal(byAddress.Reads, plan.Reads);
        Assert.Equal(4, plan.ReportedCount);
        Assert.Equal("203.AphA", plan.Slots[plan.ReportedSlot(2)].Name);
        AssertReadings(expected, readings, only: true);
    }

    [Fact]
    public async Task APointNotOnTheDevice_IsRefusedByName()
    {
        device.Require();
        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 2, Cancel);
        var map = SunSpecRegisterMap.Create(chain!);

        var error = Assert.Throws<ArgumentException>(() => SunSpecReadPlan.Create(map, ["203.W", "802.SoC"]));

        Assert.Contains("'802.SoC' is not in this device's SunSpec map (models 1, 203)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownModel_IsPassedOverByItsLength()
    {
        var expected = device.Unit(6);
        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 6, Cancel);

        var map = SunSpecRegisterMap.Create(chain!);

        Assert.Equal([1, 64999, 802], chain!.Models.Select(m => m.Id));
        Assert.Equal([64999], map.UnknownModels);
        var id = map.Points[Find(map, "802.ID")];
        Assert.Equal(40081, id.Address);
        Assert.Equal(expected.GetProperty("chain")[2].GetProperty("address").GetInt32(), id.Address);
    }

    [Fact]
    public async Task ChainCutShort_SaysWhereItStopped_AndTheModelsBeforeAreRead()
    {
        var expected = device.Unit(7).GetProperty("points");

        var chain = await SunSpecChain.DiscoverAsync(_client, device.Endpoint, 7, Cancel);
        var readings = await SunSpecReadPlan.Create(SunSpecRegisterMap.Create(chain!)).ReadAsync(_client, device.Endpoint, 7, Cancel);

        var error = Assert.IsType<SunSpecChainException>(chain!.Error);
        Assert.Equal((40000, 40134, 2), (error.BaseAddress, error.Address, error.ModelsRead));
        Assert.StartsWith("The SunSpec model chain at 40000 stops at address 40134 after 2 model(s): reading the model id failed: ", error.Message, StringComparison.Ordinal);
        Assert.IsType<ModbusException>(error.InnerException);
        Assert.Equal([1, 802], chain.Models.Select(m => m.Id));
        AssertReadings(expected, readings);
    }

    [Fact]
    public async Task Probe_RecordsTheChainAsIdAddressAndLength()
    {
        var chainJson = device.Unit(1).GetProperty("chain");
        var cut = device.Unit(7);
        var probe = new SunSpecProbe();

        var battery = await probe.ProbeAsync(new ProbeContext(_client, device.Endpoint, 1, []), Cancel);
        var stopped = await probe.ProbeAsync(new ProbeContext(_client, device.Endpoint, 7, []), Cancel);

        Assert.Equal(DeviceTypes.Bess, battery!.DeviceType);
        Assert.Equal(chainJson.GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal), battery.Details[SunSpecChain.MetadataKey].GetRawText());
        Assert.Equal(40000, battery.Details[SunSpecChain.BaseMetadataKey].GetInt32());
        Assert.Equal(Chain(device.Unit(1)), SunSpecChain.FromMetadata(battery.Details)!.Models);
        Assert.Equal(Chain(cut), SunSpecChain.FromMetadata(stopped!.Details)!.Models);
        Assert.StartsWith("stopped at 40134: reading the model id failed: ", stopped.Details.GetString("sunspec_walk"), StringComparison.Ordinal);
    }

    private static int Find(SunSpecRegisterMap map, string name)
    {
        Assert.True(map.TryFind(name, out var index), $"{name} is not in the map");
        return index;
    }

    private static List<SunSpecModelEntry> Chain(JsonElement unit) =>
        [.. unit.GetProperty("chain").EnumerateArray().Select(m => new SunSpecModelEntry(m.GetProperty("id").GetInt32(), m.GetProperty("address").GetInt32(), m.GetProperty("length").GetInt32()))];

    /// <summary>Every reading against the fixture's: the same names (all of them unless <paramref name="only"/>), values within 1e-12, texts, missing values and units.</summary>
    private static void AssertReadings(JsonElement expected, IReadOnlyList<RegisterReading> readings, bool only = false)
    {
        if (!only)
        {
            Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal), readings.Select(r => r.Name).Order(StringComparer.Ordinal));
        }

        var wrong = new List<string>();
        var symbols = 0;
        foreach (var reading in readings)
        {
            var want = expected.GetProperty(reading.Name);
            var unit = want.GetProperty("unit").ValueKind == JsonValueKind.Null ? null : want.GetProperty("unit").GetString();
            var ok = reading.Unit == unit;
            if (want.TryGetProperty("missing", out _))
            {
                ok &= !reading.IsAvailable;
            }
            else if (want.TryGetProperty("text", out var text))
            {
                ok &= reading.Text == text.GetString() && reading.Value is null;
            }
            else
            {
                var value = want.GetProperty("value").GetDouble();
                ok &= reading.Text is null && reading.Value is { } v && (v == value || Math.Abs(v - value) <= 1e-12 * Math.Abs(value));
            }

            // An enumeration's or bitfield's value named by the symbols of the model definition, as the fixture named it.
            var symbol = want.TryGetProperty("symbol", out var name) ? name.GetString()
                : want.TryGetProperty("symbols", out var names) ? string.Join(", ", names.EnumerateArray().Select(n => n.GetString())) : null;
            var named = reading.Value is { } number ? SunSpecPointName.Find(reading.Name)?.SymbolOf(number) : null;
            ok &= named == symbol;
            symbols += symbol is null ? 0 : 1;

            if (!ok)
            {
                wrong.Add($"{reading.Name}: read {reading.Value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? reading.Text ?? "missing"} {reading.Unit} ({named}), meant {want.GetRawText()}");
            }
        }

        if (!only && readings.Any(r => r.Name.StartsWith("802.", StringComparison.Ordinal)))
        {
            Assert.True(symbols >= 3, $"only {symbols} enumeration or bitfield values with symbols among model 802's points"); // ChaSt, State, Evt1... at least
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {readings.Count} points differ:\n{string.Join("\n", wrong.Take(30))}");
    }
}
