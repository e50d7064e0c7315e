using System.Text;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Templates.Yaml;

/// <summary>Turns a YAML tree into a <see cref="DeviceTemplate"/> or a <see cref="RegisterMap"/>, reporting every rule broken.</summary>
internal static class TemplateParser
{
    private static readonly string[] TemplateKeys = ["name", "type", "manufacturer", "register_map", "default_config", "registers", "scaling", "identify"];
    private static readonly string[] SectionKeys = ["default_config", "registers", "scaling", "identify"];
    private static readonly string[] ConfigKeys = ["polling_interval", "timeout", "retry_count"];
    private static readonly string[] RegisterKeys = ["address", "kind", "type", "count", "order", "scale", "offset", "unit", "access", "not_available"];
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

        const string at = "device_template";
        var template = reader.Mapping(templateNode!, at);
        reader.ThrowIfErrors();
        reader.AllowOnly(template!, at, TemplateKeys);

        var name = SchemaReader.Get(template!, "name") is { } nameNode ? reader.Text(nameNode, $"{at}.name") : null;
        name ??= Path.GetFileNameWithoutExtension(fileName) is { Length: > 0 } stem ? stem : "template";

        string? type = null;
        if (SchemaReader.Get(template!, "type") is { } typeNode)
        {
            type = reader.Text(typeNode, $"{at}.type");
            if (type is not null && !DeviceTypeDefinition.IsValidName(type))
            {
                reader.Error(typeNode, $"{at}.type", $"'{type}' is not a device type name (lower-case letters, digits and underscores)");
                type = null;
            }
            else if (type is not null && deviceTypes is { Count: > 0 } && !deviceTypes.Contains(type))
            {
                reader.Error(typeNode, $"{at}.type", $"'{type}' is not a registered device type; registered types are {string.Join(", ", deviceTypes)}");
            }
        }
        else
        {
            reader.Error(template!, $"{at}.type", "is required: the device type the template is for (bess, meter, ...)");
        }

        var manufacturer = SchemaReader.Get(template!, "manufacturer") is { } manufacturerNode ? reader.Text(manufacturerNode, $"{at}.manufacturer") : null;

        // The base map: the one named, or by convention <manufacturer>_<type> (PowerPack + bess -> powerpack_bess).
        RegisterMap? baseMap = null;
        if (SchemaReader.Get(template!, "register_map") is { } mapNode)
        {
            if (reader.Text(mapNode, $"{at}.register_map") is { } mapName)
            {
                baseMap = maps.Find(mapName);
                if (baseMap is null)
                {
                    reader.Error(mapNode, $"{at}.register_map", $"no register map is named '{mapName}'; known maps are {string.Join(", ", maps.Names.Order(StringComparer.Ordinal))}");
                }
            }
        }
        else if (manufacturer is not null && type is not null)
        {
            baseMap = maps.Find($"{manufacturer.ToLowerInvariant()}_{type}");
        }

        TimeSpan? pollingInterval = null, timeout = null;
        int? retryCount = null;
        if (SchemaReader.Get(template!, "default_config") is { } configNode && reader.Mapping(configNode, $"{at}.default_config") is { } config)
        {
            reader.AllowOnly(config, $"{at}.default_config", ConfigKeys);
            pollingInterval = SchemaReader.Get(config, "polling_interval") is { } p ? reader.Duration(p, $"{at}.default_config.polling_interval") : null;
            timeout = SchemaReader.Get(config, "timeout") is { } t ? reader.Duration(t, $"{at}.default_config.timeout") : null;
            retryCount = SchemaReader.Get(config, "retry_count") is { } r ? (int?)reader.Integer(r, $"{at}.default_config.retry_count", 0, 10) : null;
        }

        var scaling = new Dictionary<string, double>(baseMap?.Scaling ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        if (SchemaReader.Get(template!, "scaling") is { } scalingNode)
        {
            ReadScaling(reader, scalingNode, $"{at}.scaling", scaling);
        }

        var registers = new List<RegisterDefinition>(baseMap?.Registers ?? []);
        var fromTemplate = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (SchemaReader.Get(template!, "registers") is { } registersNode && reader.Mapping(registersNode, $"{at}.registers") is { } registerMapping)
        {
            foreach (var (key, value) in registerMapping.Entries)
            {
                var path = $"{at}.registers.{key.Value}";
                if (ReadRegister(reader, key, value, path, baseMap?.Find(key.Value), scaling) is not { } register)
                {
                    continue;
                }

                fromTemplate[register.Name] = value;
                var index = registers.FindIndex(r => r.Name == register.Name);
                if (index >= 0)
                {
                    registers[index] = register;
                }
                else
                {
                    registers.Add(register);
                }
            }
        }

        if (registers.Count == 0 && !reader.HasErrors)
        {
            reader.Error(template!, $"{at}.registers", "the template lists no registers and names no register map");
        }

        ReportOverlap(reader, registers, fromTemplate, template!, $"{at}.registers");
        var fingerprint = SchemaReader.Get(template!, "identify") is { } identifyNode ? ReadFingerprint(reader, identifyNode, $"{at}.identify", registers) : [];
        reader.ThrowIfErrors();

        return new DeviceTemplate
        {
            Name = name,
            DeviceType = type!,
            Manufacturer = manufacturer,
            Configuration = new DeviceConfiguration
            {
                Template = name,
                PollingInterval = pollingInterval,
                Timeout = timeout,
                RetryCount = retryCount,
                RegisterMap = new RegisterMap(EffectiveMapName(name, baseMap, registers, scaling, maps), registers, scaling),
                Scaling = scaling,
            },
            Fingerprint = fingerprint,
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
    private static RegisterDefinition? ReadRegister(SchemaReader reader, YamlScalar key, YamlNode value, string path, RegisterDefinition? basePoint, IReadOnlyDictionary<string, double> scaling)
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
        var register = basePoint ?? new RegisterDefinition { Name = key.Value, Address = 0 };
        var ok = true;
        if (SchemaReader.Get(mapping, "address") is { } addressNode)
        {
            ok &= Set(reader.Integer(addressNode, $"{path}.address", 0, 65535), a => register = register with { Address = (ushort)a });
        }
        else if (basePoint is null)
        {
            reader.Error(mapping, $"{path}.address", "is required");
            ok = false;
        }

        if (SchemaReader.Get(mapping, "kind") is { } kindNode)
        {
            ok &= Set(reader.Choice(kindNode, $"{path}.kind", TemplateNames.Kinds), k => register = register with { Kind = (RegisterKind)k });
        }

        var typeNode = SchemaReader.Get(mapping, "type");
        if (typeNode is not null)
        {
            ok &= Set(reader.Choice(typeNode, $"{path}.type", TemplateNames.DataTypes), t => register = register with
            {
                DataType = (RegisterDataType)t,
                Count = (RegisterDataType)t == RegisterDataType.String ? register.Count : RegisterCodec.RegisterCount((RegisterDataType)t),
            });
        }

        if (SchemaReader.Get(mapping, "count") is { } countNode)
        {
            if (reader.Integer(countNode, $"{path}.count", 1, 125) is not { } c)
            {
                ok = false;
            }
            else if (register.DataType != RegisterDataType.String && c != RegisterCodec.RegisterCount(register.DataType))
            {
                reader.Error(countNode, $"{path}.count", $"a {TemplateNames.DataType(register.DataType)} takes {RegisterCodec.RegisterCount(register.DataType)} registers, not {c}");
                ok = false;
            }
            else
            {
                register = register with { Count = (int)c };
            }
        }
        else if (register.DataType == RegisterDataType.String && basePoint?.DataType != RegisterDataType.String)
        {
            reader.Error(typeNode ?? mapping, $"{path}.count", "a string needs a count: how many registers (two characters each)");
            ok = false;
        }

        if (register.IsBit && (register.DataType != RegisterDataType.UInt16 || register.Count != 1))
        {
            reader.Error(typeNode ?? mapping, $"{path}.type", "a coil or discrete input is one bit: give no type or count");
            ok = false;
        }

        if (SchemaReader.Get(mapping, "order") is { } orderNode)
        {
            ok &= Set(reader.Choice(orderNode, $"{path}.order", TemplateNames.Orders), o => register = register with { Order = (ByteOrder)o });
        }

        if (SchemaReader.Get(mapping, "scale") is { } scaleNode)
        {
            if (scaleNode is YamlScalar { Plain: true } s
                && (SchemaReader.TryInteger(s.Value, out _) || double.TryParse(s.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)))
            {
                ok &= Set(reader.Number(scaleNode, $"{path}.scale"), f => register = register with { Scale = f, ScaleKey = null });
            }
            else if (reader.Text(scaleNode, $"{path}.scale") is { } scaleKey)
            {
                if (scaling.ContainsKey(scaleKey))
                {
                    register = register with { ScaleKey = scaleKey, Scale = 1 };
                }
                else
                {
                    reader.Error(scaleNode, $"{path}.scale", $"'{scaleKey}' is not a key of the scaling block{(scaling.Count > 0 ? $" ({string.Join(", ", scaling.Keys.Order(StringComparer.Ordinal))})" : string.Empty)}");
                    ok = false;
                }
            }
            else
            {
                ok = false;
            }
        }

        if (SchemaReader.Get(mapping, "offset") is { } offsetNode)
        {
            ok &= Set(reader.Number(offsetNode, $"{path}.offset"), o => register = register with { Offset = o });
        }

        if (SchemaReader.Get(mapping, "unit") is { } unitNode)
        {
            ok &= Set(reader.Text(unitNode, $"{path}.unit"), u => register = register with { Unit = u });
        }

        if (SchemaReader.Get(mapping, "access") is { } accessNode)
        {
            ok &= Set(reader.Choice(accessNode, $"{path}.access", AccessWords), a => register = register with { Access = (RegisterAccess)a });
        }

        if (SchemaReader.Get(mapping, "not_available") is { } sentinelNode)
        {
            ok &= Set(reader.Unsigned(sentinelNode, $"{path}.not_available"), v => register = register with { NotAvailable = v });
        }

        register = register with { Name = key.Value };
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
