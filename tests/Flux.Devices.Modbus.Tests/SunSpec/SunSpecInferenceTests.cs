using System.Text.Json;
using Flux.Devices.Discovery;
using Flux.Devices.Modbus.Client;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Modbus.Tests.SunSpec;

/// <summary>
/// The SunSpec probe's device type and nameplate metadata against the pymodbus devices of
/// <see cref="SunSpecDeviceFixture"/>, each value checked against the one the fixture chose; and the type rule itself.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class SunSpecInferenceTests(SunSpecDeviceFixture device) : IClassFixture<SunSpecDeviceFixture>, IAsyncDisposable
{
    private readonly ModbusTcpTransport _client = new(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(10) });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    [Theory]
    [InlineData(new[] { 1, 802, 803, 804 }, false, "bess")]
    [InlineData(new[] { 1, 805 }, false, "bess")]
    [InlineData(new[] { 1, 103, 802 }, true, "bess")] // storage first: a hybrid inverter with its battery is a BESS
    [InlineData(new[] { 1, 806 }, false, null)]
    [InlineData(new[] { 1, 201 }, false, "meter")]
    [InlineData(new[] { 1, 204 }, false, "meter")]
    [InlineData(new[] { 1, 211 }, false, "meter")]
    [InlineData(new[] { 1, 214 }, false, "meter")]
    [InlineData(new[] { 1, 220 }, false, null)]
    [InlineData(new[] { 1, 103, 120, 123 }, false, null)] // no inverter type on the host: found, not typed
    [InlineData(new[] { 1, 103, 120, 123 }, true, "inverter")]
    [InlineData(new[] { 1, 113 }, true, "inverter")]
    [InlineData(new[] { 1, 701 }, true, "inverter")]
    [InlineData(new[] { 1, 103, 203 }, false, null)] // the inverter's own meter does not make a meter
    [InlineData(new[] { 1, 103, 203 }, true, "inverter")]
    [InlineData(new[] { 1, 124 }, false, null)]
    [InlineData(new[] { 1, 713 }, false, null)]
    [InlineData(new[] { 1 }, true, null)]
    public void InferType_StorageThenInverterThenMeter(int[] models, bool inverterType, string? expected) =>
        Assert.Equal(expected, SunSpecProbe.InferType(models, inverterType));

    [Theory]
    [InlineData(201, 1, "single_phase")]
    [InlineData(202, 2, "split_phase")]
    [InlineData(203, 3, "wye")]
    [InlineData(204, 3, "delta")]
    [InlineData(211, 1, "single_phase")]
    [InlineData(212, 2, "split_phase")]
    [InlineData(213, 3, "wye")]
    [InlineData(214, 3, "delta")]
    public void MeterNameplate_PhasesAndWiringFromTheModelId(int model, int phases, string wiring)
    {
        var details = SunSpecProbe.MeterNameplate([1, model], DeviceMetadata.Empty);

        Assert.Equal((phases, wiring), (details["phases"].GetInt32(), details.GetString("sunspec_meter_wiring")));
        Assert.False(details.ContainsKey("meter_type"));
    }

    [Theory]
    [InlineData(1)] // 802 at 40000: both ratings, the discharge rate the larger
    [InlineData(4)] // 802 at 0: the charge rate not implemented, so the discharge rate
    [InlineData(6)] // 802 after an unknown model: WHRtg not implemented, so no capacity
    [InlineData(7)] // 802 in a chain cut short: the charge rate the larger
    public async Task Probe_Battery_TypeAndRatingsFrom802AsTheFixtureChose(int unit)
    {
        var points = device.Unit(unit).GetProperty("points");

        var found = await new SunSpecProbe().ProbeAsync(new ProbeContext(_client, device.Endpoint, (byte)unit, []), Cancel);

        Assert.Equal(DeviceTypes.Bess, found!.DeviceType);
        AssertKilo(Value(points, "802.WHRtg"), found.Details, "capacity_kwh");
        var rates = new[] { Value(points, "802.WChaRteMax"), Value(points, "802.WDisChaRteMax") }.Where(v => v is not null).ToList();
        Assert.NotEmpty(rates);
        AssertKilo(rates.Max(), found.Details, "max_power_kw");
    }

    [Fact]
    public void Fixture_CoversEachCaseOfTheRatings()
    {
        Assert.True(Value(device.Unit(1).GetProperty("points"), "802.WDisChaRteMax") > Value(device.Unit(1).GetProperty("points"), "802.WChaRteMax"));
        Assert.Null(Value(device.Unit(4).GetProperty("points"), "802.WChaRteMax"));
        Assert.Null(Value(device.Unit(6).GetProperty("points"), "802.WHRtg"));
        Assert.True(Value(device.Unit(7).GetProperty("points"), "802.WChaRteMax") > Value(device.Unit(7).GetProperty("points"), "802.WDisChaRteMax"));
        Assert.NotNull(Value(device.Unit(3).GetProperty("points"), "120.WRtg"));
        Assert.NotNull(Value(device.Unit(3).GetProperty("points"), "120.WHRtg"));
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "inverter")]
    public async Task Probe_Inverter_TypedOnlyWithTheHostsType_RatingsFrom120(bool inverterType, string? expected)
    {
        var points = device.Unit(3).GetProperty("points");

        var found = await new SunSpecProbe(inverterType).ProbeAsync(new ProbeContext(_client, device.Endpoint, 3, []), Cancel);

        Assert.Equal(expected, found!.DeviceType);
        AssertKilo(Value(points, "120.WRtg"), found.Details, "max_power_kw");
        AssertKilo(Value(points, "120.WHRtg"), found.Details, "capacity_kwh");
        Assert.False(found.Details.ContainsKey("phases"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Probe_Meter203_ThreePhaseWye(int unit)
    {
        var found = await new SunSpecProbe().ProbeAsync(new ProbeContext(_client, device.Endpoint, (byte)unit, []), Cancel);

        Assert.Equal(DeviceTypes.Meter, found!.DeviceType);
        Assert.Equal((3, "wye"), (found.Details["phases"].GetInt32(), found.Details.GetString("sunspec_meter_wiring")));
        Assert.False(found.Details.ContainsKey("capacity_kwh"));
    }

    [Fact]
    public async Task Discover_RegistersWithoutSiteDefaultsForTheNameplate_TheDevicesValuesWinOverDefaults_AndTheHostsInverterType()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp().AddDeviceType(new DeviceTypeDefinition("inverter", _ => { }));
        await using var provider = services.BuildServiceProvider();
        var registration = new AutoRegistrationOptions
        {
            Site = "WLCE",
            Defaults = new Dictionary<string, DeviceMetadata>
            {
                ["bess"] = DeviceMetadata.Parse("""{"efficiency": 0.92, "manufacturer": "unknown"}"""), // unit 1 leaves Mn not implemented
                ["meter"] = DeviceMetadata.Parse("""{"meter_type": "grid", "phases": 1, "ct_ratio": 1, "vt_ratio": 1, "register_map": "acuvim2_standard"}"""),
            },
        };
        var scan = new DeviceScanOptions
        {
            Hosts = HostSet.Parse($"{device.Endpoint.Host}/32"),
            Ports = [device.Endpoint.Port],
            UnitIds = [1, 2, 3],
            ConnectTimeout = TimeSpan.FromSeconds(30),
            RequestTimeout = TimeSpan.FromSeconds(30),
        };

        var results = await provider.GetRequiredService<IDeviceDiscoveryService>().DiscoverAsync(scan, registration, Cancel).ToListAsync(Cancel);

        var byUnit = results.ToDictionary(r => r.Discovered.UnitId);
        Assert.All(byUnit.Values, r => Assert.Equal(DiscoveryOutcome.Registered, r.Outcome));
        var bess = BessMetadata.From(byUnit[1].Device!.Metadata);
        var points = device.Unit(1).GetProperty("points");
        Assert.Equal(Value(points, "802.WHRtg")!.Value / 1000, bess.CapacityKwh, 1e-12);
        Assert.Equal(Value(points, "802.WDisChaRteMax")!.Value / 1000, bess.MaxPowerKw, 1e-9);
        var meter = MeterMetadata.From(byUnit[2].Device!.Metadata);
        Assert.Equal((3, MeterType.Grid), (meter.Phases, meter.MeterType)); // the device's phases over the default's 1
        Assert.Equal("inverter", byUnit[3].Device!.Type);
    }

    /// <summary>The fixture's scaled value of a point, or null where it chose "not implemented".</summary>
    private static double? Value(JsonElement points, string name) =>
        points.GetProperty(name).TryGetProperty("value", out var value) ? value.GetDouble() : null;

    private static void AssertKilo(double? units, DeviceMetadata details, string key)
    {
        if (units is null)
        {
            Assert.False(details.ContainsKey(key), $"{key} is set though the fixture left it not implemented");
            return;
        }

        var read = details[key].GetDouble();
        Assert.True(Math.Abs(read - (units.Value / 1000)) <= 1e-12 * Math.Abs(units.Value), $"{key}: read {read}, meant {units.Value / 1000}");
    }
}
