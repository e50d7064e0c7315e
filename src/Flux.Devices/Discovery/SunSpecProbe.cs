using Flux.Devices.Internal;
using Flux.Devices.RegisterMaps;
using Flux.Devices.SunSpec;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>
/// Recognises SunSpec devices: the marker "SunS" at 40000, then 0, then 50000 (the order pysunspec2 tries); the model
/// chain walked to the end model 0xFFFF; model 1 for manufacturer, model, version and serial number. The device type
/// and nameplate metadata come from the models (<see cref="InferType"/>, <see cref="MeterNameplate"/>, the ratings of models 802 and 120).
/// </summary>
internal sealed class SunSpecProbe : IDeviceTypeProbe
{
    public const string ProbeName = "sunspec";

    /// <summary>The device type a SunSpec inverter is registered as, when the host added a type by this name.</summary>
    public const string InverterType = "inverter";

    private readonly bool _inverterType;

    /// <summary>Initializes a new instance of the <see cref="SunSpecProbe"/> class for the host's device types.</summary>
    /// <param name="types">The host's device types: an inverter is recognised as <see cref="InverterType"/> only if it has one.</param>
    public SunSpecProbe(DeviceTypeCatalog types)
        : this(types?.Find(InverterType) is not null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SunSpecProbe"/> class.</summary>
    /// <param name="inverterType">Whether the host has an <see cref="InverterType"/> device type.</param>
    internal SunSpecProbe(bool inverterType = false) => _inverterType = inverterType;

    public string Name => ProbeName;

    public async ValueTask<DeviceProbeResult?> ProbeAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var chain = await SunSpecChain.DiscoverAsync(context.Transport, context.Endpoint, context.UnitId, cancellationToken).ConfigureAwait(false);
        return chain is null ? null : await DescribeAsync(context, chain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the common model (1) and the battery model (802) of a walked chain, and records the chain in the details as <see cref="SunSpecChain.AddTo"/> does:
    /// <c>sunspec_base</c>, <c>sunspec_models</c> (<c>[{"id", "address", "length"}, ...]</c>) and, for a chain cut short,
    /// <c>sunspec_walk</c> with where and why it stopped. A read of model 1 or 802 that fails keeps what was learned.
    /// </summary>
    private async ValueTask<DeviceProbeResult> DescribeAsync(ProbeContext context, SunSpecChain chain, CancellationToken cancellationToken)
    {
        var result = new DeviceProbeResult { Probe = ProbeName };
        var details = chain.AddTo(DeviceMetadata.Empty);

        try
        {
            foreach (var model in chain.Models)
            {
                var body = new ushort[Math.Min(model.Length, ProbeContext.MaxQuantity)];
                if (model.Id is 1 or 802 or 120 && body.Length >= (model.Id switch { 1 => 64, 802 => 53, _ => 19 }))
                {
                    await Read(context, model.Address + 2, body, cancellationToken).ConfigureAwait(false);
                    (result, details) = model.Id switch
                    {
                        1 => ReadCommon(result, details, body),
                        802 => (result, ReadStorage(details, body)),
                        _ => (result, ReadRatings(details, body)),
                    };
                }
            }
        }
        catch (Exception ex) when (ex is ModbusException or ModbusTimeoutException or ModbusProtocolException)
        {
            details = details.With("sunspec_read", ex.Message);
        }

        var ids = chain.Models.Select(m => m.Id).ToList();
        var type = InferType(ids, _inverterType);
        if (context.Templates.FirstOrDefault(t => t.DeviceType == type && t.SunSpecModels.Any(ids.Contains)) is { } template)
        {
            details = details.With("template", template.Name);
        }

        return result with { DeviceType = type, Details = type == DeviceTypes.Meter ? MeterNameplate(ids, details) : details };
    }

    /// <summary>Model 1 from its first data register: Mn[16] Md[16] Opt[8] Vr[8] SN[16].</summary>
    private static (DeviceProbeResult, DeviceMetadata) ReadCommon(DeviceProbeResult result, DeviceMetadata details, ushort[] body) =>
        (result with
        {
            Manufacturer = Text(body.AsSpan(0, 16)),
            Model = Text(body.AsSpan(16, 16)),
            FirmwareVersion = Text(body.AsSpan(40, 8)),
            SerialNumber = Text(body.AsSpan(48, 16)),
        }, details);

    /// <summary>
    /// The device type from the model ids, first match wins: a storage model (802-805) makes a <c>bess</c>; else an
    /// inverter model (101-103, 111-113, 701) makes an <see cref="InverterType"/> if the host has that type, else no type
    /// (the device is reported, not registered; a meter model beside it is the inverter's own meter); else a meter model
    /// (201-204, 211-214) makes a <c>meter</c>; else no type.
    /// </summary>
    internal static string? InferType(IReadOnlyCollection<int> models, bool inverterType)
    {
        if (models.Any(m => m is >= 802 and <= 805))
        {
            return DeviceTypes.Bess;
        }

        if (models.Any(m => m is (>= 101 and <= 103) or (>= 111 and <= 113) or 701))
        {
            return inverterType ? InverterType : null;
        }

        return models.Any(m => MeterWiring(m) is not null) ? DeviceTypes.Meter : null;
    }

    /// <summary>
    /// Adds what a meter's model ids say: for the first meter model, <c>phases</c> (201/211 → 1, 202/212 → 2, 203/213 and
    /// 204/214 → 3) and <c>sunspec_meter_wiring</c> (<c>single_phase</c>, <c>split_phase</c>, <c>wye</c>, <c>delta</c>).
    /// The spec's <c>meter_type</c> (grid, generation, load) says where a meter sits, which no model carries: it is left
    /// to the site's defaults.
    /// </summary>
    internal static DeviceMetadata MeterNameplate(IEnumerable<int> models, DeviceMetadata details)
    {
        foreach (var id in models)
        {
            if (MeterWiring(id) is { } wiring)
            {
                return details.With("phases", wiring.Phases).With("sunspec_meter_wiring", wiring.Name);
            }
        }

        return details;
    }

    private static (long Phases, string Name)? MeterWiring(int model) => model switch
    {
        201 or 211 => (1, "single_phase"),
        202 or 212 => (2, "split_phase"),
        203 or 213 => (3, "wye"),
        204 or 214 => (3, "delta"),
        _ => null,
    };

    /// <summary>
    /// Model 802 from its first data register: <c>capacity_kwh</c> from WHRtg (+1) with WHRtg_SF (+51);
    /// <c>max_power_kw</c> from the larger of WChaRteMax (+2) and WDisChaRteMax (+3) with WChaDisChaMax_SF (+52).
    /// </summary>
    private static DeviceMetadata ReadStorage(DeviceMetadata details, ushort[] body)
    {
        var energyWh = Scaled(body[1], body[51]);
        var powerW = Max(Scaled(body[2], body[52]), Scaled(body[3], body[52]));
        return Set(Set(details, "capacity_kwh", energyWh), "max_power_kw", powerW);
    }

    /// <summary>
    /// Model 120 (nameplate) from its first data register, for what model 802 did not give: <c>max_power_kw</c> from
    /// WRtg (+1) with WRtg_SF (+2), <c>capacity_kwh</c> from WHRtg (+17) with WHRtg_SF (+18).
    /// </summary>
    private static DeviceMetadata ReadRatings(DeviceMetadata details, ushort[] body)
    {
        var powerW = Scaled(body[1], body[2]);
        var energyWh = Scaled(body[17], body[18]);
        details = details.ContainsKey("max_power_kw") ? details : Set(details, "max_power_kw", powerW);
        return details.ContainsKey("capacity_kwh") ? details : Set(details, "capacity_kwh", energyWh);
    }

    /// <summary>Sets a rating in kilo-units from a value in units; a missing or non-positive value sets nothing.</summary>
    private static DeviceMetadata Set(DeviceMetadata details, string key, double? value) =>
        value is > 0 ? details.With(key, value.Value / 1000) : details;

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static ValueTask Read(ProbeContext context, int address, ushort[] destination, CancellationToken cancellationToken) =>
        context.Transport.ReadHoldingRegistersAsync(context.Endpoint, context.UnitId, (ushort)address, destination, cancellationToken);

    private static string? Text(ReadOnlySpan<ushort> registers) => RegisterCodec.ReadString(registers).Trim() is { Length: > 0 } text ? text : null;

    /// <summary>A value times 10^scale factor; null for SunSpec's "not implemented" (0xFFFF, or a scale factor of 0x8000).</summary>
    private static double? Scaled(ushort value, ushort scaleFactor) =>
        value == 0xFFFF || scaleFactor == 0x8000 ? null : value * Math.Pow(10, (short)scaleFactor);
}
