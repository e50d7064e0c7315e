using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Templates.Yaml;

/// <summary>
/// The per-key steps of a template and of a register's extended form: each key of the schema with the small step that
/// reads it, run in the order of the table (a step may use what an earlier one read: the base map needs the type and
/// the manufacturer, the registers need the scaling, a register's count its type). A step is called for every key of
/// its table, with <see langword="null"/> when the key is absent, so that it can require the key or supply a default.
/// </summary>
internal static partial class TemplateParser
{
    private const string TemplateAt = "device_template";

    /// <summary>The keys under <c>device_template</c>, in the order they are read.</summary>
    private static readonly (string Key, Action<TemplateReading, YamlNode?> Step)[] TemplateSteps =
    [
        ("name", ReadName),
        ("type", ReadType),
        ("manufacturer", static (t, node) => t.Manufacturer = node is null ? null : t.Reader.Text(node, $"{TemplateAt}.manufacturer")),
        ("register_map", ReadBaseMap),
        ("default_config", ReadDefaultConfig),
        ("scaling", static (t, node) =>
        {
            if (t.IsSunSpec && node is not null)
            {
                t.Reader.Error(node, $"{TemplateAt}.scaling", "does not apply to register_map: sunspec: a SunSpec point is scaled by the device's own scale factor (its _SF point), read in the same poll");
                return;
            }

            t.Scaling = new Dictionary<string, double>(t.BaseMap?.Scaling ?? new Dictionary<string, double>(), StringComparer.Ordinal);
            if (node is not null)
            {
                ReadScaling(t.Reader, node, $"{TemplateAt}.scaling", t.Scaling);
            }
        }),
        ("registers", ReadTemplateRegisters),
        ("points", ReadSunSpecPoints),
        ("identify", static (t, node) =>
        {
            if (t.IsSunSpec)
            {
                t.SunSpecModels = node is null ? [] : ReadSunSpecModels(t.Reader, node, $"{TemplateAt}.identify");
            }
            else
            {
                t.Fingerprint = node is null ? [] : ReadFingerprint(t.Reader, node, $"{TemplateAt}.identify", t.Registers);
            }
        }),
    ];

    /// <summary>The keys of a register's extended form, in the order they are read; each step says whether its key was read well.</summary>
    private static readonly (string Key, Func<RegisterReading, YamlNode?, bool> Step)[] RegisterSteps =
    [
        ("address", ReadAddress),
        ("kind", static (r, node) => node is null || Set(r.Reader.Choice(node, r.At("kind"), TemplateNames.Kinds), k => r.Register = r.Register with { Kind = (RegisterKind)k })),
        ("type", static (r, node) => node is null || Set(r.Reader.Choice(node, r.At("type"), TemplateNames.DataTypes), t => r.Register = r.Register with
        {
            DataType = (RegisterDataType)t,
            Count = (RegisterDataType)t == RegisterDataType.String ? r.Register.Count : RegisterCodec.RegisterCount((RegisterDataType)t),
        })),
        ("count", ReadCount),
        ("order", static (r, node) => node is null || Set(r.Reader.Choice(node, r.At("order"), TemplateNames.Orders), o => r.Register = r.Register with { Order = (ByteOrder)o })),
        ("scale", ReadScale),
        ("offset", static (r, node) => node is null || Set(r.Reader.Number(node, r.At("offset")), o => r.Register = r.Register with { Offset = o })),
        ("unit", static (r, node) => node is null || Set(r.Reader.Text(node, r.At("unit")), u => r.Register = r.Register with { Unit = u })),
        ("access", static (r, node) => node is null || Set(r.Reader.Choice(node, r.At("access"), AccessWords), a => r.Register = r.Register with { Access = (RegisterAccess)a })),
        ("not_available", static (r, node) => node is null || Set(r.Reader.Unsigned(node, r.At("not_available")), v => r.Register = r.Register with { NotAvailable = v })),
        ("min", static (r, node) => node is null || Set(r.Reader.Number(node, r.At("min")), v => r.Register = r.Register with { Minimum = v })),
        ("max", static (r, node) => node is null || Set(r.Reader.Number(node, r.At("max")), v => r.Register = r.Register with { Maximum = v })),
        ("secondary", static (r, node) => node is null || Set(r.Reader.Choice(node, r.At("secondary"), TemplateNames.SecondarySides), s => r.Register = r.Register with { Secondary = (SecondarySide)s })),
    ];

    /// <summary>The keys of a register's extended form, as the unknown-key error lists them.</summary>
    private static readonly string[] RegisterKeys = [.. RegisterSteps.Select(s => s.Key)];

    /// <summary>The name, or else the file's name without its extension, or else <c>template</c>.</summary>
    private static void ReadName(TemplateReading t, YamlNode? node)
    {
        var name = node is null ? null : t.Reader.Text(node, $"{TemplateAt}.name");
        t.Name = name ?? (Path.GetFileNameWithoutExtension(t.FileName) is { Length: > 0 } stem ? stem : "template");
    }

    private static void ReadType(TemplateReading t, YamlNode? node)
    {
        const string at = $"{TemplateAt}.type";
        if (node is null)
        {
            t.Reader.Error(t.Template, at, "is required: the device type the template is for (bess, meter, ...)");
            return;
        }

        var type = t.Reader.Text(node, at);
        if (type is not null && !DeviceTypeDefinition.IsValidName(type))
        {
            t.Reader.Error(node, at, $"'{type}' is not a device type name (lower-case letters, digits and underscores)");
            type = null;
        }
        else if (type is not null && t.DeviceTypes is { Count: > 0 } types && !types.Contains(type))
        {
            t.Reader.Error(node, at, $"'{type}' is not a registered device type; registered types are {string.Join(", ", types)}");
        }

        t.Type = type;
    }

    /// <summary>The base map: the one named, or by convention <c>&lt;manufacturer&gt;_&lt;type&gt;</c> (PowerPack + bess -> powerpack_bess).</summary>
    private static void ReadBaseMap(TemplateReading t, YamlNode? node)
    {
        if (node is null)
        {
            t.BaseMap = t.Manufacturer is not null && t.Type is not null ? t.Maps.Find($"{t.Manufacturer.ToLowerInvariant()}_{t.Type}") : null;
        }
        else if (t.Reader.Text(node, $"{TemplateAt}.register_map") is { } mapName)
        {
            if (mapName == DeviceConfiguration.SunSpecMapName)
            {
                t.IsSunSpec = true;
                return;
            }

            t.BaseMap = t.Maps.Find(mapName);
            if (t.BaseMap is null)
            {
                t.Reader.Error(node, $"{TemplateAt}.register_map", $"no register map is named '{mapName}'; known maps are {string.Join(", ", t.Maps.Names.Order(StringComparer.Ordinal))}");
            }
        }
    }

    private static void ReadDefaultConfig(TemplateReading t, YamlNode? node)
    {
        const string at = $"{TemplateAt}.default_config";
        if (node is null || t.Reader.Mapping(node, at) is not { } config)
        {
            return;
        }

        t.Reader.AllowOnly(config, at, ConfigKeys);
        t.PollingInterval = SchemaReader.Get(config, "polling_interval") is { } p ? t.Reader.Duration(p, $"{at}.polling_interval") : null;
        t.Timeout = SchemaReader.Get(config, "timeout") is { } o ? t.Reader.Duration(o, $"{at}.timeout") : null;
        t.RetryCount = SchemaReader.Get(config, "retry_count") is { } r ? (int?)t.Reader.Integer(r, $"{at}.retry_count", 0, 10) : null;
    }

    /// <summary>The base map's points with the template's own over them (same name: replaced; new name: added), then the checks of the whole.</summary>
    private static void ReadTemplateRegisters(TemplateReading t, YamlNode? node)
    {
        const string at = $"{TemplateAt}.registers";
        if (t.IsSunSpec)
        {
            if (node is not null)
            {
                t.Reader.Error(node, at, "does not apply to register_map: sunspec: the device's points are those of its own SunSpec models; list the points to poll under points");
            }

            return;
        }

        t.Registers = [.. t.BaseMap?.Registers ?? []];
        var fromTemplate = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (node is not null && t.Reader.Mapping(node, at) is { } registerMapping)
        {
            foreach (var (key, value) in registerMapping.Entries)
            {
                if (ReadRegister(t.Reader, key, value, $"{at}.{key.Value}", t.BaseMap?.Find(key.Value), t.Scaling) is not { } register)
                {
                    continue;
                }

                fromTemplate[register.Name] = value;
                var index = t.Registers.FindIndex(r => r.Name == register.Name);
                if (index >= 0)
                {
                    t.Registers[index] = register;
                }
                else
                {
                    t.Registers.Add(register);
                }
            }
        }

        if (t.Registers.Count == 0 && !t.Reader.HasErrors)
        {
            t.Reader.Error(t.Template, at, "the template lists no registers and names no register map");
        }

        ReportOverlap(t.Reader, t.Registers, fromTemplate, t.Template, at);
    }

    /// <summary>The SunSpec points to poll (<c>points: [802.SoC, 802.W]</c>), each a point of a shipped model; only with <c>register_map: sunspec</c>.</summary>
    private static void ReadSunSpecPoints(TemplateReading t, YamlNode? node)
    {
        const string at = $"{TemplateAt}.points";
        if (node is null)
        {
            return;
        }

        if (!t.IsSunSpec)
        {
            t.Reader.Error(node, at, "lists SunSpec points: it needs register_map: sunspec (a register map's points go under registers)");
            return;
        }

        if (node is not YamlSequence sequence)
        {
            t.Reader.Error(node, at, $"must be a list of SunSpec point names ([802.SoC, 802.W]), not {SchemaReader.Describe(node)}");
            return;
        }

        var points = new List<string>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = sequence.Items[i];
            var itemAt = $"{at}[{i}]";
            if (t.Reader.Text(item, itemAt) is not { } name)
            {
                continue;
            }

            if (SunSpec.SunSpecPointName.Problem(name) is { } problem)
            {
                t.Reader.Error(item, itemAt, $"'{name}': {problem}");
            }
            else if (points.Contains(name, StringComparer.Ordinal))
            {
                t.Reader.Error(item, itemAt, $"'{name}' is listed twice");
            }
            else
            {
                points.Add(name);
            }
        }

        t.Points = points;
    }

    /// <summary>The <c>identify</c> block of a SunSpec template: <c>sunspec_models</c>, a model id or a list of them (any of which identifies a device).</summary>
    private static List<int> ReadSunSpecModels(SchemaReader reader, YamlNode node, string path)
    {
        var models = new List<int>();
        if (reader.Mapping(node, path) is not { } identify)
        {
            return models;
        }

        reader.AllowOnly(identify, path, "sunspec_models");
        if (SchemaReader.Get(identify, "sunspec_models") is not { } value)
        {
            reader.Error(node, $"{path}.sunspec_models", "is required in the identify block of register_map: sunspec: the SunSpec model ids (802) that identify the template's devices");
            return models;
        }

        var items = value is YamlSequence sequence ? sequence.Items : [value];
        if (items.Count == 0)
        {
            reader.Error(value, $"{path}.sunspec_models", "lists no model id");
        }

        foreach (var item in items)
        {
            if (reader.Integer(item, $"{path}.sunspec_models", 1, 65534) is { } id)
            {
                models.Add((int)id);
            }
        }

        return models;
    }

    private static bool ReadAddress(RegisterReading r, YamlNode? node)
    {
        if (node is not null)
        {
            return Set(r.Reader.Integer(node, r.At("address"), 0, 65535), a => r.Register = r.Register with { Address = (ushort)a });
        }

        if (r.BasePoint is null)
        {
            r.Reader.Error(r.Mapping, r.At("address"), "is required");
            return false;
        }

        return true;
    }

    /// <summary>The count (a string's is required, a number's is its type's), then the shape of a bit: what type and count say together.</summary>
    private static bool ReadCount(RegisterReading r, YamlNode? node)
    {
        var ok = true;
        var register = r.Register;
        if (node is not null)
        {
            if (r.Reader.Integer(node, r.At("count"), 1, 125) is not { } c)
            {
                ok = false;
            }
            else if (register.DataType != RegisterDataType.String && c != RegisterCodec.RegisterCount(register.DataType))
            {
                r.Reader.Error(node, r.At("count"), $"a {TemplateNames.DataType(register.DataType)} takes {RegisterCodec.RegisterCount(register.DataType)} registers, not {c}");
                ok = false;
            }
            else
            {
                r.Register = register = register with { Count = (int)c };
            }
        }
        else if (register.DataType == RegisterDataType.String && r.BasePoint?.DataType != RegisterDataType.String)
        {
            r.Reader.Error(r.TypeNode ?? r.Mapping, r.At("count"), "a string needs a count: how many registers (two characters each)");
            ok = false;
        }

        if (register.IsBit && (register.DataType != RegisterDataType.UInt16 || register.Count != 1))
        {
            r.Reader.Error(r.TypeNode ?? r.Mapping, r.At("type"), "a coil or discrete input is one bit: give no type or count");
            ok = false;
        }

        return ok;
    }

    /// <summary>A factor (a number), or the name of a key of the scaling block.</summary>
    private static bool ReadScale(RegisterReading r, YamlNode? node)
    {
        if (node is null)
        {
            return true;
        }

        if (node is YamlScalar { Plain: true } s
            && (SchemaReader.TryInteger(s.Value, out _) || double.TryParse(s.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            return Set(r.Reader.Number(node, r.At("scale")), f => r.Register = r.Register with { Scale = f, ScaleKey = null });
        }

        if (r.Reader.Text(node, r.At("scale")) is not { } scaleKey)
        {
            return false;
        }

        if (r.Scaling.ContainsKey(scaleKey))
        {
            r.Register = r.Register with { ScaleKey = scaleKey, Scale = 1 };
            return true;
        }

        r.Reader.Error(node, r.At("scale"), $"'{scaleKey}' is not a key of the scaling block{(r.Scaling.Count > 0 ? $" ({string.Join(", ", r.Scaling.Keys.Order(StringComparer.Ordinal))})" : string.Empty)}");
        return false;
    }

    /// <summary>A template being read: what its steps need and what they read so far.</summary>
    private sealed class TemplateReading(SchemaReader reader, YamlMapping template, string? fileName, IRegisterMapProvider maps, IReadOnlyCollection<string>? deviceTypes)
    {
        public SchemaReader Reader { get; } = reader;

        public YamlMapping Template { get; } = template;

        public string? FileName { get; } = fileName;

        public IRegisterMapProvider Maps { get; } = maps;

        public IReadOnlyCollection<string>? DeviceTypes { get; } = deviceTypes;

        public string Name { get; set; } = "template";

        public string? Type { get; set; }

        public string? Manufacturer { get; set; }

        public RegisterMap? BaseMap { get; set; }

        public TimeSpan? PollingInterval { get; set; }

        public TimeSpan? Timeout { get; set; }

        public int? RetryCount { get; set; }

        public Dictionary<string, double> Scaling { get; set; } = new(StringComparer.Ordinal);

        public List<RegisterDefinition> Registers { get; set; } = [];

        public List<TemplateFingerprint> Fingerprint { get; set; } = [];

        /// <summary>Whether the template says <c>register_map: sunspec</c>.</summary>
        public bool IsSunSpec { get; set; }

        public List<string> Points { get; set; } = [];

        public List<int> SunSpecModels { get; set; } = [];
    }

    /// <summary>A register's extended form being read: the point so far (the base map's, if any) and what its steps need.</summary>
    private sealed class RegisterReading(SchemaReader reader, YamlMapping mapping, string path, RegisterDefinition? basePoint, IReadOnlyDictionary<string, double> scaling, string name)
    {
        public SchemaReader Reader { get; } = reader;

        public YamlMapping Mapping { get; } = mapping;

        public RegisterDefinition? BasePoint { get; } = basePoint;

        public IReadOnlyDictionary<string, double> Scaling { get; } = scaling;

        public RegisterDefinition Register { get; set; } = basePoint ?? new RegisterDefinition { Name = name, Address = 0 };

        public YamlNode? TypeNode => SchemaReader.Get(Mapping, "type");

        public string At(string key) => $"{path}.{key}";
    }
}
