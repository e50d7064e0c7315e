using System.Text;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Templates.Yaml;

/// <summary>Turns a YAML tree into a <see cref="DeviceTemplate"/> or a <see cref="RegisterMap"/>, reporting every rule broken.</summary>
internal static partial class TemplateParser
{
    /// <summary>The keys under <c>device_template</c> in the order the unknown-key error lists them; <see cref="TemplateSteps"/> reads the same keys in the order they depend on each other.</summary>
    private static readonly string[] TemplateKeys = ["name", "type", "manufacturer", "register_map", "default_config", "registers", "scaling", "points", "identify"];
    private static readonly string[] SectionKeys = ["default_config", "registers", "scaling", "points", "identify"];
    private static readonly string[] ConfigKeys = ["polling_interval", "timeout", "retry_count"];
    private static readonly string[] MapKeys = ["name", "description", "scaling", "registers"];
    private static readonly string[] AccessWords = ["read", "read_write"];

    public static DeviceTemplate ParseTemplate(YamlNode rootNode, string? fileName, IRegisterMapProvider maps, IReadOnlyCollection<string>? deviceTypes)
    {
        var reader = new SchemaReader(fileName);
        if (reader.Mapping(rootNode, string.Empty) is not { } root)
        {
            reader.ThrowIfErrors();
            throw new InvalidOperationException("unreachable");
        }

        root = NestFlatTemplate(root, reader);
        reader.AllowOnly(root, string.Empty, "device_template");
        var templateNode = SchemaReader.Get(root, "device_template");
        if (templateNode is null)
        {
            reader.Error(root, "device_template", "is required: the template's keys go under device_template");
            reader.ThrowIfErrors();
        }

        var template = reader.Mapping(templateNode!, TemplateAt);
        reader.ThrowIfErrors();
        reader.AllowOnly(template!, TemplateAt, TemplateKeys);

        var reading = new TemplateReading(reader, template!, fileName, maps, deviceTypes);
        foreach (var (key, step) in TemplateSteps)
        {
            step(reading, SchemaReader.Get(template!, key));
        }

        reader.ThrowIfErrors();
        return new DeviceTemplate
        {
            Name = reading.Name,
            DeviceType = reading.Type!,
            Manufacturer = reading.Manufacturer,
            Configuration = new DeviceConfiguration
            {
                Template = reading.Name,
                PollingInterval = reading.PollingInterval,
                Timeout = reading.Timeout,
                RetryCount = reading.RetryCount,
                RegisterMap = reading.IsSunSpec
                    ? new RegisterMap(DeviceConfiguration.SunSpecMapName, [], reading.Scaling)
                    : new RegisterMap(EffectiveMapName(reading.Name, reading.BaseMap, reading.Registers, reading.Scaling, maps), reading.Registers, reading.Scaling),
                Scaling = reading.Scaling,
                Points = reading.Points,
            },
            Fingerprint = reading.Fingerprint,
            SunSpecModels = reading.SunSpecModels,
        };
    }

    public static RegisterMap ParseRegisterMap(YamlNode rootNode, string? fileName)
    {
        var reader = new SchemaReader(fileName);
        var root = reader.Mapping(rootNode, string.Empty);
        reader.ThrowIfErrors();
        reader.AllowOnly(root!, string.Empty, "register_map");
        if (SchemaReader.Get(root!, "register_map") is not { } mapNode)
        {
            reader.Error(root!, "register_map", "is required: the map's keys go under register_map");
            reader.ThrowIfErrors();
            throw new InvalidOperationException("unreachable");
        }

        const string at = "register_map";
        var map = reader.Mapping(mapNode, at);
        reader.ThrowIfErrors();
        reader.AllowOnly(map!, at, MapKeys);
        string? name = null;
        if (SchemaReader.Get(map!, "name") is { } nameNode)
        {
            name = reader.Text(nameNode, $"{at}.name");
            if (name is not null && !DeviceTypeDefinition.IsValidName(name))
            {
                reader.Error(nameNode, $"{at}.name", $"'{name}' is not a register map name (lower-case letters, digits and underscores)");
            }
        }
        else
        {
            reader.Error(map!, $"{at}.name", "is required");
        }

        var description = SchemaReader.Get(map!, "description") is { } d ? reader.Text(d, $"{at}.description") : null;
        var scaling = new Dictionary<string, double>(StringComparer.Ordinal);
        if (SchemaReader.Get(map!, "scaling") is { } scalingNode)
        {
            ReadScaling(reader, scalingNode, $"{at}.scaling", scaling);
        }

        var registers = new List<RegisterDefinition>();
        var nodes = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (SchemaReader.Get(map!, "registers") is { } registersNode && reader.Mapping(registersNode, $"{at}.registers") is { } registerMapping)
        {
            foreach (var (key, value) in registerMapping.Entries)
            {
                if (ReadRegister(reader, key, value, $"{at}.registers.{key.Value}", null, scaling) is { } register)
                {
                    registers.Add(register);
                    nodes[register.Name] = value;
                }
            }
        }
        else
        {
            reader.Error(map!, $"{at}.registers", "is required and must list at least one register");
        }

        ReportOverlap(reader, registers, nodes, map!, $"{at}.registers");
        reader.ThrowIfErrors();
        return new RegisterMap(name!, registers, scaling, description);
    }

    /// <summary>
    /// The spec prints its template with the indentation lost: <c>device_template:</c>, <c>default_config:</c>,
    /// <c>registers:</c> and <c>scaling:</c> with no value, each followed by the keys that belong to it. Such a text
    /// is read as the nested template it stands for: the keys before the first section header are the template's,
    /// and every key after a header belongs to that section until the next header (so a register may be called
    /// <c>name</c> or <c>type</c>). A nested template passes through unchanged. Root keys may repeat in the printed
    /// form (a <c>power</c> register and a <c>power</c> scale); within one section, or at the root of a nested
    /// template, a repeated key is an error.
    /// </summary>
    private static YamlMapping NestFlatTemplate(YamlMapping root, SchemaReader reader)
    {
        var headerIndex = root.Entries.FindIndex(e => e.Key.Value == "device_template");
        if (headerIndex < 0 || root.Entries[headerIndex].Value is not YamlScalar { IsNull: true } || root.Entries.Count == 1)
        {
            ReportDuplicates(reader, root, string.Empty);
            return root;
        }

        var header = root.Entries[headerIndex].Key;
        var template = new YamlMapping(header.Start);
        var nested = new YamlMapping(root.Start);
        nested.Entries.AddRange(root.Entries.Take(headerIndex));
        nested.Entries.Add((header, template));
        var current = template;
        var currentPath = "device_template";
        foreach (var (key, entryValue) in root.Entries.Skip(headerIndex + 1))
        {
            YamlMapping target;
            var value = entryValue;
            var path = currentPath;
            if (Array.IndexOf(SectionKeys, key.Value) >= 0)
            {
                target = template;
                path = "device_template";
                if (value is YamlScalar { IsNull: true })
                {
                    value = current = new YamlMapping(key.Start);
                    currentPath = $"device_template.{key.Value}";
                }
                else
                {
                    current = template;
                    currentPath = "device_template";
                }
            }
            else
            {
                target = current;
            }

            if (target.Entries.Exists(e => e.Key.Value == key.Value))
            {
                reader.Error(key, $"{path}.{key.Value}", $"the key '{key.Value}' appears twice");
                continue;
            }

            target.Entries.Add((key, value));
        }

        ReportDuplicates(reader, nested, string.Empty);
        return nested;
    }

    /// <summary>The <c>identify</c> block: point name to a value or a list of values, each point one of the map's registers.</summary>
    private static List<TemplateFingerprint> ReadFingerprint(SchemaReader reader, YamlNode node, string path, List<RegisterDefinition> registers)
    {
        var fingerprint = new List<TemplateFingerprint>();
        if (reader.Mapping(node, path) is not { } identify)
        {
            return fingerprint;
        }

        if (identify.Entries.Count == 0)
        {
            reader.Error(node, path, "lists no point: give point names and the values that identify the device");
        }

        foreach (var (key, value) in identify.Entries)
        {
            var at = $"{path}.{key.Value}";
            var register = registers.Find(r => r.Name == key.Value);
            if (register is null)
            {
                reader.Error(key, at, $"is not a point of the template's register map; its points are {string.Join(", ", registers.Select(r => r.Name))}");
                continue;
            }

            if (register.IsBit)
            {
                reader.Error(key, at, "is a coil or discrete input; discovery reads only holding and input registers");
                continue;
            }

            if (register.Count > Discovery.ProbeContext.MaxQuantity)
            {
                reader.Error(key, at, $"takes {register.Count} registers; discovery reads at most {Discovery.ProbeContext.MaxQuantity} at a time");
                continue;
            }

            var items = value is YamlSequence sequence ? sequence.Items : [value];
            if (items.Count == 0)
            {
                reader.Error(value, at, "lists no value");
                continue;
            }

            var numbers = new List<double>();
            var texts = new List<string>();
            foreach (var item in items)
            {
                if (register.DataType == RegisterDataType.String)
                {
                    Set(reader.Text(item, at), text => texts.Add(text.Trim()));
                }
                else
                {
                    Set(reader.Number(item, at), numbers.Add);
                }
            }

            fingerprint.Add(new TemplateFingerprint { Register = register, Numbers = numbers, Texts = texts });
        }

        return fingerprint;
    }

    private static void ReportDuplicates(SchemaReader reader, YamlMapping mapping, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in mapping.Entries)
        {
            if (!seen.Add(key.Value))
            {
                reader.Error(key, SchemaReader.Join(path, key.Value), $"the key '{key.Value}' appears twice");
            }
        }
    }

    private static void ReadScaling(SchemaReader reader, YamlNode node, string path, Dictionary<string, double> scaling)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return;
        }

        foreach (var (key, value) in mapping.Entries)
        {
            if (!DeviceTypeDefinition.IsValidName(key.Value))
            {
                reader.Error(key, $"{path}.{key.Value}", "a scaling key is lower-case letters, digits and underscores");
            }
            else if (reader.Number(value, $"{path}.{key.Value}") is { } factor)
            {
                scaling[key.Value] = factor;
            }
        }
    }

    /// <summary>
    /// Reads a register: the short form <c>name: address</c> (the base map's point of that name at another address,
    /// or else a uint16 holding register scaled by the scaling key of the same name, if any), or the extended form,
    /// whose keys override the base map's point of that name, if any.
    /// </summary>
    private static RegisterDefinition? ReadRegister(SchemaReader reader, YamlScalar key, YamlNode value, string path, RegisterDefinition? basePoint, Dictionary<string, double> scaling)
    {
        if (!DeviceTypeDefinition.IsValidName(key.Value))
        {
            reader.Error(key, path, "a register name is lower-case letters, digits and underscores, starting with a letter, at most 32 characters");
            return null;
        }

        if (value is YamlScalar)
        {
            if (reader.Integer(value, path, 0, 65535) is not { } address)
            {
                return null;
            }

            var point = basePoint is not null
                ? basePoint with { Address = (ushort)address }
                : new RegisterDefinition { Name = key.Value, Address = (ushort)address, ScaleKey = scaling.ContainsKey(key.Value) ? key.Value : null };
            return CheckEnd(reader, value, path, point);
        }

        if (value is not YamlMapping mapping)
        {
            reader.Error(value, path, "a register is an address (soe: 2026) or a mapping (soe: {address: 2026, type: uint32})");
            return null;
        }

        reader.AllowOnly(mapping, path, RegisterKeys);
        var reading = new RegisterReading(reader, mapping, path, basePoint, scaling, key.Value);
        var ok = true;
        foreach (var (name, step) in RegisterSteps)
        {
            ok &= step(reading, SchemaReader.Get(mapping, name));
        }

        var register = reading.Register with { Name = key.Value };
        return ok ? CheckEnd(reader, value, path, register) : null;
    }

    /// <summary>Reports what the specific checks did not: the point's own rules (<see cref="RegisterDefinition.Problem"/>).</summary>
    private static RegisterDefinition? CheckEnd(SchemaReader reader, YamlNode node, string path, RegisterDefinition register)
    {
        if (RegisterDefinition.Problem(register) is { } problem)
        {
            reader.Error(node, path, problem);
            return null;
        }

        return register;
    }

    private static void ReportOverlap(SchemaReader reader, List<RegisterDefinition> registers, Dictionary<string, YamlNode> nodes, YamlNode fallback, string path)
    {
        if (RegisterMap.FindOverlap(registers) is var (first, second))
        {
            var node = nodes.GetValueOrDefault(second.Name) ?? nodes.GetValueOrDefault(first.Name) ?? fallback;
            reader.Error(
                node,
                $"{path}.{second.Name}",
                $"{TemplateNames.Kind(second.Kind)} {second.Address}..{second.End - 1} overlaps '{first.Name}' at {first.Address}..{first.End - 1}");
        }
    }

    private static bool Set<T>(T? value, Action<T> apply)
        where T : struct
    {
        if (value is { } v)
        {
            apply(v);
            return true;
        }

        return false;
    }

    private static bool Set(string? value, Action<string> apply)
    {
        if (value is not null)
        {
            apply(value);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Names the map a template deploys: the base map's name when the template leaves its points and scaling as they
    /// are, otherwise a name of its own made from the template's name, so that nobody looks the deployed points up
    /// under a map whose addresses differ (<c>_template</c> is appended when that name is taken by a known map).
    /// </summary>
    private static string EffectiveMapName(string templateName, RegisterMap? baseMap, List<RegisterDefinition> registers, Dictionary<string, double> scaling, IRegisterMapProvider maps)
    {
        if (baseMap is not null
            && baseMap.Registers.SequenceEqual(registers)
            && baseMap.Scaling.Count == scaling.Count
            && baseMap.Scaling.All(kv => scaling.TryGetValue(kv.Key, out var factor) && factor.Equals(kv.Value)))
        {
            return baseMap.Name;
        }

        var id = Identifier(templateName);
        return maps.Find(id) is null ? id : $"{(id.Length > 23 ? id[..23] : id)}_template";
    }

    /// <summary>Makes a register map name out of a template name (<c>PowerPack BESS</c> becomes <c>powerpack_bess</c>).</summary>
    private static string Identifier(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var id = text.ToString().Trim('_');
        if (id.Length == 0 || !char.IsAsciiLetter(id[0]))
        {
            id = "t_" + id;
        }

        return id.Length > 32 ? id[..32] : id;
    }
}
