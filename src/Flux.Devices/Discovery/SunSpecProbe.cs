using Flux.Devices.RegisterMaps;
using Flux.Devices.SunSpec;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>
/// Recognises SunSpec devices: the marker "SunS" at 40000, then 0, then 50000 (the order pysunspec2 tries); the model
/// chain walked to the end model 0xFFFF; model 1 for manufacturer, model, version and serial number; battery models
/// (802-809, 713, 124) for a BESS with its rated energy and power, meter models (201-204, 211-214, 220) without an
/// inverter model for a meter with its phases.
/// </summary>
internal sealed class SunSpecProbe : IDeviceTypeProbe
{
    public const string ProbeName = "sunspec";

    public string Name => ProbeName;

    public async ValueTask<DeviceProbeResult?> ProbeAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var chain = await SunSpecChain.DiscoverAsync(context.Transport, context.Endpoint, context.UnitId, cancellationToken).ConfigureAwait(false);
        return chain is null ? null : await DescribeAsync(context, chain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the common model (1) and the battery model (802) of a walked chain, and records the chain in the details:
    /// <c>sunspec_base</c>, <c>sunspec_models</c> (<c>[{"id", "address", "length"}, ...]</c>) and, for a chain cut short,
    /// <c>sunspec_walk</c> with where and why it stopped. A read of model 1 or 802 that fails keeps what was learned.
    /// </summary>
    private static async ValueTask<DeviceProbeResult> DescribeAsync(ProbeContext context, SunSpecChain chain, CancellationToken cancellationToken)
    {
        var result = new DeviceProbeResult { Probe = ProbeName };
        var details = DeviceMetadata.Empty.With(SunSpecChain.BaseMetadataKey, (long)chain.BaseAddress);
        if (chain.Error is { } error)
        {
            details = details.With("sunspec_walk", $"stopped at {error.Address}: {error.Reason}");
        }

        try
        {
            foreach (var model in chain.Models)
            {
                var body = new ushort[Math.Min(model.Length, ProbeContext.MaxQuantity)];
                if (model.Id is 1 or 802 && body.Length >= (model.Id == 1 ? 64 : 53))
                {
                    await Read(context, model.Address + 2, body, cancellationToken).ConfigureAwait(false);
                    (result, details) = model.Id == 1 ? ReadCommon(result, details, body) : (result, ReadBattery(details, body));
                }
            }
        }
        catch (Exception ex) when (ex is ModbusException or ModbusTimeoutException or ModbusProtocolException)
        {
            details = details.With("sunspec_read", ex.Message);
        }

        details = details.With(SunSpecChain.MetadataKey, chain.ToMetadataValue());
        return Classify(result, [.. chain.Models.Select(m => (long)m.Id)], details);
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

    /// <summary>Model 802 from its first data register: WHRtg at +1 with its scale factor at +51, WChaRteMax at +2 with its at +52.</summary>
    private static DeviceMetadata ReadBattery(DeviceMetadata details, ushort[] body)
    {
        var energyWh = Scaled(body[1], body[51]);
        var powerW = Scaled(body[2], body[52]);
        if (energyWh is > 0)
        {
            details = details.With("capacity_kwh", energyWh.Value / 1000);
        }

        return powerW is > 0 ? details.With("max_power_kw", powerW.Value / 1000) : details;
    }

    private static DeviceProbeResult Classify(DeviceProbeResult result, List<long> models, DeviceMetadata details)
    {
        if (models.Any(m => m is (>= 802 and <= 809) or 713 or 124))
        {
            return result with { DeviceType = DeviceTypes.Bess, Details = details };
        }

        // A meter model on a device that also has an inverter model is the inverter's own meter, not a meter.
        var meter = models.FirstOrDefault(m => m is (>= 201 and <= 204) or (>= 211 and <= 214) or 220);
        if (meter != 0 && !models.Any(m => m is (>= 101 and <= 103) or (>= 111 and <= 113) or 701))
        {
            var phases = (meter % 10) switch { 1 => 1L, 2 => 2L, _ => 3L };
            return result with { DeviceType = DeviceTypes.Meter, Details = details.With("phases", phases) };
        }

        return result with { Details = details };
    }

    private static ValueTask Read(ProbeContext context, int address, ushort[] destination, CancellationToken cancellationToken) =>
        context.Transport.ReadHoldingRegistersAsync(context.Endpoint, context.UnitId, (ushort)address, destination, cancellationToken);

    private static string? Text(ReadOnlySpan<ushort> registers) => RegisterCodec.ReadString(registers).Trim() is { Length: > 0 } text ? text : null;

    /// <summary>A value times 10^scale factor; null for SunSpec's "not implemented" (0xFFFF, or a scale factor of 0x8000).</summary>
    private static double? Scaled(ushort value, ushort scaleFactor) =>
        value == 0xFFFF || scaleFactor == 0x8000 ? null : value * Math.Pow(10, (short)scaleFactor);
}
