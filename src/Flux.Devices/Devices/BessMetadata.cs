using System.Text.Json.Serialization;

namespace Flux.Devices;

/// <summary>
/// The typed metadata of a <see cref="DeviceTypes.Bess"/> device, exactly as the spec's <c>BESSDevice</c> interface
/// (snake_case JSON names). Other keys in the same metadata object are allowed and kept.
/// </summary>
/// <remarks>
/// Rules: <c>manufacturer</c> and <c>model</c> are non-blank strings; <c>capacity_kwh</c> and
/// <c>max_power_kw</c> are greater than 0; <c>efficiency</c> is greater than 0 and at most 1;
/// <c>modbus_address</c> is a whole number from 1 to 247; <c>firmware_version</c> is optional (a discovered
/// device may not report one) but a non-blank string when present.
/// </remarks>
public sealed record BessMetadata
{
    /// <summary>Gets the manufacturer (<c>PowerPack</c>).</summary>
    [JsonPropertyName("manufacturer")]
    public required string Manufacturer { get; init; }

    /// <summary>Gets the model (<c>PP-500</c>).</summary>
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    /// <summary>Gets the usable energy capacity in kWh.</summary>
    [JsonPropertyName("capacity_kwh")]
    public required double CapacityKwh { get; init; }

    /// <summary>Gets the maximum charge or discharge power in kW.</summary>
    [JsonPropertyName("max_power_kw")]
    public required double MaxPowerKw { get; init; }

    /// <summary>Gets the round-trip efficiency, greater than 0 and at most 1.</summary>
    [JsonPropertyName("efficiency")]
    public required double Efficiency { get; init; }

    /// <summary>Gets the Modbus unit id, 1 to 247.</summary>
    [JsonPropertyName("modbus_address")]
    public required int ModbusAddress { get; init; }

    /// <summary>Gets the firmware version, when known.</summary>
    [JsonPropertyName("firmware_version")]
    public string? FirmwareVersion { get; init; }

    /// <summary>Reads and validates the typed fields of a device's metadata.</summary>
    /// <param name="metadata">The metadata.</param>
    /// <returns>The typed view.</returns>
    /// <exception cref="DeviceValidationException">One or more fields break the rules; all are reported.</exception>
    public static BessMetadata From(DeviceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var context = new MetadataValidationContext(metadata);
        var result = Read(context);
        return result ?? throw new DeviceValidationException(context.Errors);
    }

    /// <summary>Checks the typed fields; the validation of the built-in <see cref="DeviceTypes.Bess"/> type.</summary>
    /// <param name="context">Where failures are reported.</param>
    public static void Validate(MetadataValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = Read(context);
    }

    /// <summary>Returns the typed fields as metadata; merge it into existing metadata to keep other keys.</summary>
    /// <returns>The metadata.</returns>
    public DeviceMetadata ToMetadata()
    {
        var metadata = DeviceMetadata.Empty
            .With("manufacturer", Manufacturer)
            .With("model", Model)
            .With("capacity_kwh", CapacityKwh)
            .With("max_power_kw", MaxPowerKw)
            .With("efficiency", Efficiency)
            .With("modbus_address", (long)ModbusAddress);
        return FirmwareVersion is null ? metadata : metadata.With("firmware_version", FirmwareVersion);
    }

    private static BessMetadata? Read(MetadataValidationContext context)
    {
        var manufacturer = context.RequireString("manufacturer");
        var model = context.RequireString("model");
        var capacity = context.RequireNumber("capacity_kwh", minExclusive: 0);
        var maxPower = context.RequireNumber("max_power_kw", minExclusive: 0);
        var efficiency = context.RequireNumber("efficiency", minExclusive: 0, maxInclusive: 1);
        var address = context.RequireInteger("modbus_address", 1, 247);
        var firmware = context.OptionalString("firmware_version");
        if (context.Errors.Count > 0)
        {
            return null;
        }

        return new BessMetadata
        {
            Manufacturer = manufacturer!,
            Model = model!,
            CapacityKwh = capacity!.Value,
            MaxPowerKw = maxPower!.Value,
            Efficiency = efficiency!.Value,
            ModbusAddress = (int)address!.Value,
            FirmwareVersion = firmware,
        };
    }
}
