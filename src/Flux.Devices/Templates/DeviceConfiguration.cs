using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Flux.Devices.Maintenance;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Templates;

/// <summary>
/// A device's polling configuration as a template deploys it, kept in the device's metadata under
/// <see cref="MetadataKey"/> so that any process (a poller, the command line) can read it without the template file:
/// the template's name, polling defaults, the effective register map and the effective scale factors.
/// </summary>
/// <remarks>Compare configurations through <see cref="ToMetadata"/>: two configurations are the same when their blocks are equal.</remarks>
public sealed class DeviceConfiguration
{
    /// <summary>The metadata key of the block (<c>config</c>).</summary>
    public const string MetadataKey = "config";

    /// <summary>
    /// The register map name that means "SunSpec, from the device's own model chain" (<c>sunspec</c>): the device is
    /// read through the SunSpec models recorded in its metadata at discovery (<c>sunspec_models</c>), not through a
    /// fixed map; <see cref="Points"/> names the points to poll.
    /// </summary>
    public const string SunSpecMapName = "sunspec";

    /// <summary>Gets the name of the template that deployed the configuration.</summary>
    public required string Template { get; init; }

    /// <summary>Gets how often the device is polled, when the template says.</summary>
    public TimeSpan? PollingInterval { get; init; }

    /// <summary>Gets the deadline of one poll request, when the template says.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets how many times a failed poll is retried, when the template says.</summary>
    public int? RetryCount { get; init; }

    /// <summary>
    /// Gets the registers to read: the base map's points with the template's overrides and additions. Its name is
    /// the base map's when the template changes none of its points or factors, otherwise one of its own made from
    /// the template's name.
    /// </summary>
    public required RegisterMap RegisterMap { get; init; }

    /// <summary>Gets the scale factors: the base map's, overridden by the template's <c>scaling</c> block.</summary>
    public required IReadOnlyDictionary<string, double> Scaling { get; init; }

    /// <summary>
    /// Gets the SunSpec points to poll (<c>802.SoC</c>, <c>203.TotWhImp</c>) when <see cref="IsSunSpec"/>; points of
    /// models the device does not have are left out of its polls. Empty: every point of the device's models.
    /// </summary>
    public IReadOnlyList<string> Points { get; init; } = [];

    /// <summary>Gets a value indicating whether the device is read through its own SunSpec model chain (the map is <see cref="SunSpecMapName"/>).</summary>
    public bool IsSunSpec => string.Equals(RegisterMap.Name, SunSpecMapName, StringComparison.Ordinal) && RegisterMap.Registers.Count == 0;

    /// <summary>
    /// Gets the unit of one of the configuration's points: a register map point's <see cref="RegisterDefinition.Unit"/>,
    /// or for a SunSpec configuration the unit of the point's model definition (<c>802.SoC</c>: <c>%WHRtg</c>).
    /// </summary>
    /// <param name="point">The point's name.</param>
    /// <returns>The unit, or <see langword="null"/> when the point has none or is not one of the configuration's.</returns>
    public string? UnitOf(string point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return IsSunSpec ? SunSpec.SunSpecPointName.Find(point)?.Units : RegisterMap.Find(point)?.Unit;
    }

    /// <summary>
    /// Names a value of one of the configuration's points by the symbols of its SunSpec model definition: an
    /// enumeration's symbol (<c>802.ChaSt</c> 4: <c>CHARGING</c>), or a bitfield's set bits by name, lowest first and
    /// comma-separated (<c>802.Evt1</c> 6: <c>OVER_TEMP_ALARM, OVER_TEMP_WARNING</c>; a bit the definition does not name
    /// as <c>bit 17</c>). The value itself is kept as read; this is for display.
    /// </summary>
    /// <param name="point">The point's name.</param>
    /// <param name="value">Its value.</param>
    /// <returns>
    /// The name, or <see langword="null"/>: not a SunSpec configuration, a point without symbols, an enumeration value
    /// the definition does not name, or a bitfield without a bit set.
    /// </returns>
    public string? SymbolOf(string point, double value)
    {
        ArgumentNullException.ThrowIfNull(point);
        return IsSunSpec ? SunSpec.SunSpecPointName.Find(point)?.SymbolOf(value) : null;
    }

    /// <summary>Returns the block as metadata, to be set under <see cref="MetadataKey"/>.</summary>
    /// <returns>The block.</returns>
    public DeviceMetadata ToMetadata()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("template", Template);
            if (PollingInterval is { } interval)
            {
                writer.WriteString("polling_interval", DurationText.FormatCompact(interval));
            }

            if (Timeout is { } timeout)
            {
                writer.WriteString("timeout", DurationText.FormatCompact(timeout));
            }

            if (RetryCount is { } retries)
            {
                writer.WriteNumber("retry_count", retries);
            }

            writer.WriteString("register_map", RegisterMap.Name);
            writer.WriteStartObject("registers");
            foreach (var register in RegisterMap.Registers)
            {
                writer.WritePropertyName(register.Name);
                RegisterJson.Write(writer, register);
            }

            writer.WriteEndObject();
            if (Points.Count > 0)
            {
                writer.WriteStartArray("points");
                foreach (var point in Points)
                {
                    writer.WriteStringValue(point);
                }

                writer.WriteEndArray();
            }

            writer.WriteStartObject("scaling");
            foreach (var (key, factor) in Scaling.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(key, factor);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return DeviceMetadata.FromElement(document.RootElement);
    }

    /// <summary>Reads the block from a device's metadata.</summary>
    /// <param name="metadata">The device's metadata.</param>
    /// <param name="configuration">The configuration, when present and readable.</param>
    /// <returns><see langword="true"/> when the block is present and readable.</returns>
    public static bool TryRead(DeviceMetadata metadata, [NotNullWhen(true)] out DeviceConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        configuration = null;
        if (!metadata.TryGetValue(MetadataKey, out var block)
            || block.ValueKind != JsonValueKind.Object
            || !block.TryGetProperty("template", out var template) || template.ValueKind != JsonValueKind.String
            || !block.TryGetProperty("registers", out var registers) || registers.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        try
        {
            var scaling = new Dictionary<string, double>(StringComparer.Ordinal);
            if (block.TryGetProperty("scaling", out var scales) && scales.ValueKind == JsonValueKind.Object)
            {
                foreach (var scale in scales.EnumerateObject())
                {
                    scaling[scale.Name] = scale.Value.GetDouble();
                }
            }

            var definitions = registers.EnumerateObject().Select(r => RegisterJson.Read(r.Name, r.Value)).ToList();
            var mapName = block.TryGetProperty("register_map", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : template.GetString()!;
            configuration = new DeviceConfiguration
            {
                Template = template.GetString()!,
                PollingInterval = Duration(block, "polling_interval"),
                Timeout = Duration(block, "timeout"),
                RetryCount = block.TryGetProperty("retry_count", out var retries) && retries.TryGetInt32(out var count) ? count : null,
                RegisterMap = new RegisterMap(mapName, definitions, scaling),
                Scaling = scaling,
                Points = block.TryGetProperty("points", out var points) && points.ValueKind == JsonValueKind.Array
                    ? [.. points.EnumerateArray().Select(p => p.GetString() ?? throw new FormatException("points"))]
                    : [],
            };
            return true;
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return false;
        }
    }

    private static TimeSpan? Duration(JsonElement block, string key) =>
        block.TryGetProperty(key, out var text) && text.ValueKind == JsonValueKind.String && DurationText.TryParse(text.GetString(), out var duration)
            ? duration
            : null;
}

/// <summary>Writes and reads register points as JSON objects with the keys of a template's extended register form.</summary>
internal static class RegisterJson
{
    public static void Write(Utf8JsonWriter writer, RegisterDefinition register)
    {
        writer.WriteStartObject();
        writer.WriteNumber("address", register.Address);
        writer.WriteString("kind", TemplateNames.Kind(register.Kind));
        if (!register.IsBit)
        {
            writer.WriteString("type", TemplateNames.DataType(register.DataType));
            writer.WriteNumber("count", register.Count);
            writer.WriteString("order", register.Order.ToString());
        }

        if (register.ScaleKey is { } key)
        {
            writer.WriteString("scale", key);
        }
        else if (register.Scale != 1)
        {
            writer.WriteNumber("scale", register.Scale);
        }

        if (register.Offset != 0)
        {
            writer.WriteNumber("offset", register.Offset);
        }

        if (register.Unit is { } unit)
        {
            writer.WriteString("unit", unit);
        }

        writer.WriteString("access", register.Access == RegisterAccess.ReadWrite ? "read_write" : "read");
        if (register.NotAvailable is { } sentinel)
        {
            writer.WriteNumber("not_available", sentinel);
        }

        if (register.Minimum is { } min)
        {
            writer.WriteNumber("min", min);
        }

        if (register.Maximum is { } max)
        {
            writer.WriteNumber("max", max);
        }

        if (register.Secondary != SecondarySide.None)
        {
            writer.WriteString("secondary", TemplateNames.Secondary(register.Secondary));
        }

        writer.WriteEndObject();
    }

    public static RegisterDefinition Read(string name, JsonElement point)
    {
        var kind = TemplateNames.ParseKind(point.GetProperty("kind").GetString()!) ?? throw new FormatException("kind");
        var type = point.TryGetProperty("type", out var t) ? TemplateNames.ParseDataType(t.GetString()!) ?? throw new FormatException("type") : RegisterDataType.UInt16;
        return new RegisterDefinition
        {
            Name = name,
            Address = point.GetProperty("address").GetUInt16(),
            Kind = kind,
            DataType = type,
            Count = point.TryGetProperty("count", out var count) ? count.GetInt32() : 1,
            Order = point.TryGetProperty("order", out var order) ? Enum.Parse<ByteOrder>(order.GetString()!) : ByteOrder.ABCD,
            Scale = point.TryGetProperty("scale", out var scale) && scale.ValueKind == JsonValueKind.Number ? scale.GetDouble() : 1,
            ScaleKey = point.TryGetProperty("scale", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null,
            Offset = point.TryGetProperty("offset", out var offset) ? offset.GetDouble() : 0,
            Unit = point.TryGetProperty("unit", out var unit) ? unit.GetString() : null,
            Access = point.TryGetProperty("access", out var access) && access.GetString() == "read_write" ? RegisterAccess.ReadWrite : RegisterAccess.Read,
            NotAvailable = point.TryGetProperty("not_available", out var sentinel) ? sentinel.GetUInt64() : null,
            Minimum = point.TryGetProperty("min", out var min) ? min.GetDouble() : null,
            Maximum = point.TryGetProperty("max", out var max) ? max.GetDouble() : null,
            Secondary = point.TryGetProperty("secondary", out var secondary) ? TemplateNames.ParseSecondarySide(secondary.GetString()!) ?? throw new FormatException("secondary") : SecondarySide.None,
        };
    }
}

/// <summary>The words templates use for kinds, data types and orders.</summary>
internal static class TemplateNames
{
    public static readonly string[] Kinds = ["holding", "input", "coil", "discrete_input"];

    public static readonly string[] DataTypes = ["int16", "uint16", "int32", "uint32", "float32", "int64", "uint64", "float64", "string"];

    public static readonly string[] Orders = ["ABCD", "CDAB", "BADC", "DCBA"];

    /// <summary>The words of <see cref="RegisterMaps.SecondarySide"/>, by value.</summary>
    public static readonly string[] SecondarySides = ["none", "current", "voltage", "power"];

    public static string Secondary(SecondarySide side) => SecondarySides[(int)side];

    public static SecondarySide? ParseSecondarySide(string text) => Array.IndexOf(SecondarySides, text) is var i and >= 0 ? (SecondarySide)i : null;

    public static string Kind(RegisterKind kind) => Kinds[(int)kind];

    public static string DataType(RegisterDataType type) => DataTypes[(int)type];

    public static RegisterKind? ParseKind(string text) => Array.IndexOf(Kinds, text) is var i and >= 0 ? (RegisterKind)i : null;

    public static RegisterDataType? ParseDataType(string text) => Array.IndexOf(DataTypes, text) is var i and >= 0 ? (RegisterDataType)i : null;

    public static ByteOrder? ParseOrder(string text) => Array.IndexOf(Orders, text) is var i and >= 0 ? (ByteOrder)i : null;

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
