using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Flux.Devices.RegisterMaps;
using Flux.Devices.SunSpec;
using Flux.Devices.Telemetry;
using Flux.Devices.Telemetry.Internal;
using Flux.Devices.Templates;
using Flux.Devices.Tests.Health;
using Flux.Devices.Tests.Support;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Tests.SunSpec;

/// <summary>
/// SunSpec devices through templates (<c>register_map: sunspec</c>), the health poll's plan (from the chain recorded in
/// the device's metadata) and telemetry (scaled by the scale factors of the same poll).
/// </summary>
public sealed class SunSpecPollTests
{
    private static readonly DeviceTemplateLoader Loader = new(BuiltInRegisterMaps.Provider, [DeviceTypes.Bess, DeviceTypes.Meter]);

    // 1 at 40002 (L 66), 802 at 40070 (L 62), end.
    private static readonly SunSpecChain Battery = new(40000, [new(1, 40002, 66), new(802, 40070, 62)]);

    private const string BessTemplate = """
        device_template:
          type: bess
          register_map: sunspec
          identify:
            sunspec_models: [802]
          points: [802.SoC, 802.W, 802.V, 203.Hz]
        """;

    [Fact]
    public void ShippedTemplates_Load_WithTheirModelsAndPoints()
    {
        var bess = Loader.Load(File.ReadAllText(Path.Combine("templates", "sunspec_bess.yaml")), "sunspec_bess.yaml");
        var meter = Loader.Load(File.ReadAllText(Path.Combine("templates", "sunspec_meter.yaml")), "sunspec_meter.yaml");

        Assert.Equal(("sunspec_bess", DeviceTypes.Bess, (string?)null, true), (bess.Name, bess.DeviceType, bess.Manufacturer, bess.Configuration.IsSunSpec));
        Assert.Equal([802], bess.SunSpecModels);
        Assert.Contains("802.SoC", bess.Configuration.Points);
        Assert.Contains("802.W", bess.Configuration.Points);
        Assert.Equal([201, 202, 203, 204], meter.SunSpecModels);
        Assert.Equal(DeviceTypes.Meter, meter.DeviceType);
        Assert.Contains("203.Hz", meter.Configuration.Points);
        Assert.Contains("203.TotWhImp", meter.Configuration.Points);
        Assert.Contains("204.PhVphAB", meter.Configuration.Points);
    }

    [Fact]
    public void Configuration_RoundTripsThroughMetadata_WithItsPoints()
    {
        var template = Loader.Load(BessTemplate, "battery.yaml");

        Assert.True(DeviceConfiguration.TryRead(DeviceMetadata.Empty.With(DeviceConfiguration.MetadataKey, template.Configuration.ToMetadata()), out var read));

        Assert.Equal((DeviceConfiguration.SunSpecMapName, true), (read.RegisterMap.Name, read.IsSunSpec));
        Assert.Empty(read.RegisterMap.Registers);
        Assert.Equal(["802.SoC", "802.W", "802.V", "203.Hz"], read.Points);
        Assert.Equal(template.Configuration.ToMetadata(), read.ToMetadata());
    }

    [Fact]
    public void PollTarget_SunSpecWithoutARecordedChain_HasAProblemNamingIt()
    {
        var device = Configured(withChain: false);

        var target = Target(device);

        Assert.Contains("records no SunSpec model chain (sunspec_models)", target.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void PollTarget_SunSpec_PlansThePointsOfTheDevicesModels_InOneRead()
    {
        var target = Target(Configured(withChain: true));

        Assert.Null(target.Problem);
        var plan = Assert.IsType<SunSpecPollPlan>(target.Plan);
        // SoC (+11), V (+34) and W (+47) of 802 (at 40070) with their scale factors (+56, +59, +63), no gap over 32:
        // one read from +11 to +63. 203.Hz is left out (the device has no model 203). Reported in the template's order.
        Assert.Equal([new PollRead(RegisterKind.Holding, 40070 + 11, 53)], plan.Reads);
        Assert.Equal(["802.SoC", "802.W", "802.V"], Enumerable.Range(0, plan.Plan.ReportedCount).Select(i => plan.Plan.Slots[plan.Plan.ReportedSlot(i)].Name));
    }

    [Fact]
    public void TelemetryFrame_DecodesASunSpecPoll_WithTheScaleFactorsReadInIt_WithoutAllocating()
    {
        var target = Target(Configured(withChain: true));
        var readings = target.Readings;
        Set(readings, "802.SoC", 4873);
        Set(readings, "802.SoC_SF", unchecked((ushort)-2));
        Set(readings, "802.W", unchecked((ushort)-1500));
        Set(readings, "802.W_SF", 1);
        Set(readings, "802.V", 0xFFFF); // not implemented
        Set(readings, "802.V_SF", 0);
        var frame = new TelemetryFrame(target.DeviceId, target.Plan, 1, 1);
        var timestamp = new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);

        frame.Decode(readings, timestamp);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            frame.Decode(readings, timestamp);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var latest = frame.Snapshot();

        Assert.Equal(0, allocated);
        Assert.Equal(
            [("802.SoC", (double?)48.73, "%WHRtg", TelemetryQuality.Good), ("802.W", -15000, "W", TelemetryQuality.Good), ("802.V", null, "V", TelemetryQuality.NotAvailable)],
            latest.Select(r => (r.Point, r.Value, r.Unit, r.Quality)));
    }

    [Fact]
    public async Task Plan_SunSpecTemplate_ConfiguresDevicesWithItsModels_SkipsOthersWithTheReason()
    {
        using var fixture = new RegistryFixture();
        var battery = await fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-01") with { Metadata = WithChain(DeviceMetadata.Parse(SpecSamples.BessMetadataJson), Battery) });
        var powerPack = await fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-02"));
        var inverter = await fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-03") with
        {
            Metadata = WithChain(DeviceMetadata.Parse(SpecSamples.BessMetadataJson), new SunSpecChain(40000, [new(1, 40002, 66), new(103, 40070, 50)])),
        });
        var template = Loader.Load(BessTemplate, "battery.yaml");

        var plan = await fixture.Templates.PlanAsync(template, DeviceFilter.Parse("type=bess,site=WLCE"));

        var items = plan.Items.ToDictionary(i => i.Device.Id);
        Assert.Equal(TemplatePlanAction.Configure, items[battery.Id].Action);
        Assert.Equal(TemplatePlanAction.Skip, items[powerPack.Id].Action);
        Assert.StartsWith("not a SunSpec device: its metadata records no SunSpec model chain (sunspec_models)", items[powerPack.Id].Reason, StringComparison.Ordinal);
        Assert.Equal(TemplatePlanAction.Skip, items[inverter.Id].Action);
        Assert.Equal("SunSpec model mismatch: the device has models 1, 103, the template is for 802", items[inverter.Id].Reason);
    }

    private static Device Configured(bool withChain)
    {
        var template = Loader.Load(BessTemplate, "battery.yaml");
        var device = HealthTestDevices.Device();
        var metadata = device.Metadata.With(DeviceConfiguration.MetadataKey, template.Configuration.ToMetadata());
        return device with { Metadata = withChain ? WithChain(metadata, Battery) : metadata };
    }

    private static DeviceMetadata WithChain(DeviceMetadata metadata, SunSpecChain chain) =>
        metadata.With(SunSpecChain.BaseMetadataKey, (long)chain.BaseAddress).With(SunSpecChain.MetadataKey, chain.ToMetadataValue());

    private static PollTarget Target(Device device)
    {
        var target = new PollTarget(device.Id);
        target.Update(device, new DeviceHealthOptions());
        return target;
    }

    /// <summary>Sets the register of a point in a poll's values, where the plan's reads put it.</summary>
    private static void Set(PollReadings readings, string point, ushort value)
    {
        var address = SunSpecRegisterMap.Create(Battery) is var map && map.TryFind(point, out var index) ? map.Points[index].Address : throw new ArgumentException(point);
        for (var i = 0; i < readings.Plan.Reads.Count; i++)
        {
            var read = readings.Plan.Reads[i];
            if (read.Start <= address && address < read.Start + read.Count)
            {
                readings.Registers(i).Span[address - read.Start] = value;
                return;
            }
        }

        throw new ArgumentException($"{point} is not read", nameof(point));
    }
}
