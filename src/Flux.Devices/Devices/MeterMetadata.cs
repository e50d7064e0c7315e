using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices;

/// <summary>What a meter measures, as the spec's <c>meter_type</c>.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<MeterType>))]
public enum MeterType
{
    /// <summary>The point of connection to the grid (<c>grid</c>).</summary>
    Grid = 0,

    /// <summary>A generator's output (<c>generation</c>).</summary>
    Generation = 1,

    /// <summary>A load's consumption (<c>load</c>).</summary>
    Load = 2,
}

/// <summary>
/// The typed metadata of a <see cref="DeviceTypes.Meter"/> device, exactly as the spec's <c>MeterDevice</c>
/// interface (snake_case JSON names). Other keys in the same metadata object are allowed and kept.
/// </summary>
/// <remarks>
/// Rules: <c>manufacturer</c>, <c>model</c> and <c>register_map</c> are non-blank strings; <c>meter_type</c> is
/// <c>grid</c>, <c>generation</c> or <c>load</c>; <c>phases</c> is 1, 2 or 3; <c>ct_ratio</c> and <c>vt_ratio</c>
/// are greater than 0; <c>modbus_address</c> is a whole number from 1 to 247.
/// </remarks>
public sealed record MeterMetadata
{
    private static readonly string[] MeterTypeNames = ["grid", "generation", "load"];

    /// <summary>Gets the manufacturer (<c>Accuenergy</c>).</summary>
    [JsonPropertyName("manufacturer")]
    public required string Manufacturer { get; init; }

    /// <summary>Gets the model (<c>Acuvim-II</c>).</summary>
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    /// <summary>Gets what the meter measures.</summary>
    [JsonPropertyName("meter_type")]
    public required MeterType MeterType { get; init; }

    /// <summary>Gets the number of phases, 1 to 3.</summary>
    [JsonPropertyName("phases")]
    public required int Phases { get; init; }

    /// <summary>Gets the current transformer ratio, greater than 0.</summary>
    [JsonPropertyName("ct_ratio")]
    public required double CtRatio { get; init; }

    /// <summary>Gets the voltage transformer ratio, greater than 0.</summary>
    [JsonPropertyName("vt_ratio")]
    public required double VtRatio { get; init; }

    /// <summary>Gets the Modbus unit id, 1 to 247.</summary>
    [JsonPropertyName("modbus_address")]
    public required int ModbusAddress { get; init; }

    /// <summary>Gets the name of the register map that decodes the meter (<c>acuvim2_standard</c>).</summary>
    [JsonPropertyName("register_map")]
    public required string RegisterMap { get; init; }

    /// <summary>Reads and validates the typed fields of a device's metadata.</summary>
    /// <param name="metadata">The metadata.</param>
    /// <returns>The typed view.</returns>
    /// <exception cref="DeviceValidationException">One or more fields break the rules; all are reported.</exception>
    public static MeterMetadata From(DeviceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var context = new MetadataValidationContext(metadata);
        var result = Read(context);
        return result ?? throw new DeviceValidationException(context.Errors);
    }

    /// <summary>Checks the typed fields; the validation of the built-in <see cref="DeviceTypes.Meter"/> type.</summary>
    /// <param name="context">Where failures are reported.</param>
    public static void Validate(MetadataValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = Read(context);
    }

    /// <summary>Returns the typed fields as metadata; merge it into existing metadata to keep other keys.</summary>
    /// <returns>The metadata.</returns>
    public DeviceMetadata ToMetadata() => DeviceMetadata.Empty
        .With("manufacturer", Manufacturer)
        .With("model", Model)
        .With("meter_type", MeterType switch
        {
            MeterType.Grid or MeterType.Generation or MeterType.Load => MeterTypeNames[(int)MeterType],
            _ => throw new DeviceValidationException("metadata.meter_type", $"{(int)MeterType} is not a meter type"),
        })
        .With("phases", (long)Phases)
        .With("ct_ratio", CtRatio)
        .With("vt_ratio", VtRatio)
        .With("modbus_address", (long)ModbusAddress)
        .With("register_map", RegisterMap);

    private static MeterMetadata? Read(MetadataValidationContext context)
    {
        var manufacturer = context.RequireString("manufacturer");
        var model = context.RequireString("model");
        var meterType = context.RequireOneOf("meter_type", MeterTypeNames);
        var phases = context.RequireInteger("phases", 1, 3);
        var ctRatio = context.RequireNumber("ct_ratio", minExclusive: 0);
        var vtRatio = context.RequireNumber("vt_ratio", minExclusive: 0);
        var address = context.RequireInteger("modbus_address", 1, 247);
        var registerMap = context.RequireString("register_map");
        if (context.Errors.Count > 0)
        {
            return null;
        }

        return new MeterMetadata
        {
            Manufacturer = manufacturer!,
            Model = model!,
            MeterType = (MeterType)Array.IndexOf(MeterTypeNames, meterType),
            Phases = (int)phases!.Value,
            CtRatio = ctRatio!.Value,
            VtRatio = vtRatio!.Value,
            ModbusAddress = (int)address!.Value,
            RegisterMap = registerMap!,
        };
    }
}
