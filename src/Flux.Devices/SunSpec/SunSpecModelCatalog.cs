using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Flux.Devices.SunSpec;

/// <summary>
/// The SunSpec model definitions shipped in this assembly (<c>SunSpec/Models/model_&lt;id&gt;.json</c>, embedded),
/// loaded lazily: nothing is read until a model is asked for, then each model is parsed once, thread-safely, and kept.
/// </summary>
internal sealed class SunSpecModelCatalog
{
    private const string ResourcePrefix = "Flux.Devices.SunSpec.Models.model_";
    private static readonly Lazy<SunSpecModelCatalog> SharedCatalog = new(() => new SunSpecModelCatalog(typeof(SunSpecModelCatalog).Assembly));

    private readonly Assembly _assembly;
    private readonly FrozenDictionary<int, string> _resources;
    private readonly ConcurrentDictionary<int, Lazy<SunSpecModelDefinition>> _loaded = new();

    /// <summary>Initializes a new instance of the <see cref="SunSpecModelCatalog"/> class over an assembly's embedded model files.</summary>
    /// <param name="assembly">The assembly holding <c>Flux.Devices.SunSpec.Models.model_&lt;id&gt;.json</c> resources.</param>
    internal SunSpecModelCatalog(Assembly assembly)
    {
        _assembly = assembly;
        var resources = new Dictionary<int, string>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(ResourcePrefix.Length, name.Length - ResourcePrefix.Length - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                resources[id] = name;
            }
        }

        _resources = resources.ToFrozenDictionary();
    }

    /// <summary>Gets the catalog of the models this library ships, created on first use.</summary>
    public static SunSpecModelCatalog Shared => SharedCatalog.Value;

    /// <summary>Gets the ids of the models shipped (nothing is parsed to answer).</summary>
    public IEnumerable<int> Ids => _resources.Keys.Order();

    /// <summary>Gets how many models have been parsed so far.</summary>
    internal int LoadedCount => _loaded.Values.Count(l => l.IsValueCreated);

    /// <summary>Gets a model's definition, parsing it on first use.</summary>
    /// <param name="id">The model id.</param>
    /// <param name="model">The definition, or <see langword="null"/> when the library does not ship the model.</param>
    /// <returns>Whether the model is known.</returns>
    public bool TryGet(int id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SunSpecModelDefinition? model)
    {
        if (!_resources.ContainsKey(id))
        {
            model = null;
            return false;
        }

        model = _loaded.GetOrAdd(id, (key, state) => new Lazy<SunSpecModelDefinition>(() => state.Load(key), LazyThreadSafetyMode.ExecutionAndPublication), this).Value;
        return true;
    }

    /// <summary>Parses every shipped model not parsed yet.</summary>
    /// <returns>The definitions, by id.</returns>
    public IReadOnlyList<SunSpecModelDefinition> LoadAll() =>
        [.. Ids.Select(id => TryGet(id, out var model) ? model : throw new InvalidOperationException($"SunSpec model {id} vanished."))];

    /// <summary>Parses one model definition (the JSON of <c>sunspec/models</c>).</summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="source">What to name in errors (the file).</param>
    /// <returns>The definition.</returns>
    /// <exception cref="InvalidDataException">The file is not a model definition this library understands; the message names the point and the reason.</exception>
    internal static SunSpecModelDefinition Parse(ReadOnlyMemory<byte> json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var id = root.GetProperty("id").GetInt32();
            var group = ParseGroup(root.GetProperty("group"), source);
            if (group.Points is not [{ Name: "ID" }, { Name: "L" }, ..])
            {
                throw new InvalidDataException($"{source}: the model's group does not start with the points ID and L.");
            }

            var label = root.GetProperty("group").TryGetProperty("label", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
            return new SunSpecModelDefinition(id, group) { Label = label };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: not a SunSpec model definition: {ex.Message}", ex);
        }
    }

    private SunSpecModelDefinition Load(int id)
    {
        var resource = _resources[id];
        using var stream = _assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} is missing.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var model = Parse(bytes, resource);
        return model.Id == id ? model : throw new InvalidDataException($"{resource} defines model {model.Id}, not {id}.");
    }

    private static SunSpecGroupDefinition ParseGroup(JsonElement group, string source)
    {
        var name = group.GetProperty("name").GetString() ?? throw new InvalidDataException($"{source}: a group has no name.");
        var points = new List<SunSpecPointDefinition>();
        var offset = 0;
        if (group.TryGetProperty("points", out var pointArray))
        {
            foreach (var point in pointArray.EnumerateArray())
            {
                var parsed = ParsePoint(point, offset, $"{source} {name}");
                points.Add(parsed);
                offset += parsed.Size;
            }
        }

        var groups = new List<SunSpecGroupDefinition>();
        if (group.TryGetProperty("groups", out var groupArray))
        {
            foreach (var child in groupArray.EnumerateArray())
            {
                groups.Add(ParseGroup(child, source));
            }
        }

        var count = SunSpecGroupCount.Once;
        if (group.TryGetProperty("count", out var countElement))
        {
            count = countElement.ValueKind == JsonValueKind.String
                ? new SunSpecGroupCount(0, countElement.GetString(), true)
                : new SunSpecGroupCount(countElement.GetInt32(), null, true);
        }

        return new SunSpecGroupDefinition(name, points, groups, count);
    }

    private static SunSpecPointDefinition ParsePoint(JsonElement point, int offset, string where)
    {
        var name = point.GetProperty("name").GetString() ?? throw new InvalidDataException($"{where}: a point has no name.");
        var typeName = point.GetProperty("type").GetString();
        var type = TypeOf(typeName) ?? throw new InvalidDataException($"{where}.{name}: unknown point type '{typeName}'.");
        var size = point.GetProperty("size").GetInt32();
        var expected = SizeOf(type);
        if (size < 1 || (expected is { } fixedSize && size != fixedSize))
        {
            throw new InvalidDataException($"{where}.{name}: a {typeName} cannot take {size} registers.");
        }

        string? scaleFactor = null;
        int? scaleFactorValue = null;
        if (point.TryGetProperty("sf", out var sf))
        {
            if (sf.ValueKind == JsonValueKind.Number)
            {
                scaleFactorValue = sf.GetInt32();
            }
            else
            {
                scaleFactor = sf.GetString();
            }
        }

        return new SunSpecPointDefinition(
            name,
            type,
            size,
            offset,
            scaleFactor,
            scaleFactorValue,
            point.TryGetProperty("units", out var units) ? units.GetString() : null,
            point.TryGetProperty("access", out var access) && access.ValueKind == JsonValueKind.String && access.GetString() == "RW",
            point.TryGetProperty("mandatory", out var mandatory) && mandatory.ValueKind == JsonValueKind.String && mandatory.GetString() == "M",
            Symbols(point, $"{where}.{name}"));
    }

    private static SunSpecSymbol[]? Symbols(JsonElement point, string where)
    {
        if (!point.TryGetProperty("symbols", out var symbols) || symbols.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var result = new List<SunSpecSymbol>();
        foreach (var symbol in symbols.EnumerateArray())
        {
            var name = symbol.GetProperty("name").GetString() ?? throw new InvalidDataException($"{where}: a symbol has no name.");
            var value = symbol.GetProperty("value");
            result.Add(new SunSpecSymbol(name, value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number)
                ? number
                : throw new InvalidDataException($"{where}: symbol {name} has no whole value.")));
        }

        return [.. result];
    }

    private static SunSpecPointType? TypeOf(string? name) => name switch
    {
        "int16" => SunSpecPointType.Int16,
        "uint16" => SunSpecPointType.UInt16,
        "count" => SunSpecPointType.Count,
        "acc16" => SunSpecPointType.Acc16,
        "enum16" => SunSpecPointType.Enum16,
        "bitfield16" => SunSpecPointType.Bitfield16,
        "int32" => SunSpecPointType.Int32,
        "uint32" => SunSpecPointType.UInt32,
        "acc32" => SunSpecPointType.Acc32,
        "enum32" => SunSpecPointType.Enum32,
        "bitfield32" => SunSpecPointType.Bitfield32,
        "ipaddr" => SunSpecPointType.IpAddr,
        "int64" => SunSpecPointType.Int64,
        "uint64" => SunSpecPointType.UInt64,
        "acc64" => SunSpecPointType.Acc64,
        "bitfield64" => SunSpecPointType.Bitfield64,
        "float32" => SunSpecPointType.Float32,
        "float64" => SunSpecPointType.Float64,
        "string" => SunSpecPointType.String,
        "sunssf" => SunSpecPointType.Sunssf,
        "pad" => SunSpecPointType.Pad,
        "ipv6addr" => SunSpecPointType.Ipv6Addr,
        "eui48" => SunSpecPointType.Eui48,
        _ => null,
    };

    /// <summary>Gets the registers a type takes; <see langword="null"/> for a string (its own size).</summary>
    /// <param name="type">The type.</param>
    /// <returns>The size.</returns>
    internal static int? SizeOf(SunSpecPointType type) => type switch
    {
        SunSpecPointType.String => null,
        SunSpecPointType.Int32 or SunSpecPointType.UInt32 or SunSpecPointType.Acc32 or SunSpecPointType.Enum32
            or SunSpecPointType.Bitfield32 or SunSpecPointType.IpAddr or SunSpecPointType.Float32 => 2,
        SunSpecPointType.Int64 or SunSpecPointType.UInt64 or SunSpecPointType.Acc64 or SunSpecPointType.Bitfield64
            or SunSpecPointType.Float64 or SunSpecPointType.Eui48 => 4,
        SunSpecPointType.Ipv6Addr => 8,
        _ => 1,
    };
}
