using System.Globalization;
using Flux.Devices.Maintenance;

namespace Flux.Devices.Templates.Yaml;

/// <summary>
/// Reads values out of a <see cref="YamlNode"/> tree strictly, collecting every problem with its line, column and key
/// path instead of stopping at the first: wrong types, unknown keys, values out of range.
/// </summary>
internal sealed class SchemaReader(string? fileName)
{
    private readonly List<TemplateError> _errors = [];

    public bool HasErrors => _errors.Count > 0;

    public void Error(YamlNode node, string path, string message) =>
        _errors.Add(new TemplateError { Line = node.Start.Line, Column = node.Start.Column, Path = path, Message = message });

    public void ThrowIfErrors()
    {
        if (_errors.Count > 0)
        {
            throw new DeviceTemplateException(fileName, [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public YamlMapping? Mapping(YamlNode node, string path)
    {
        if (node is YamlMapping mapping)
        {
            return mapping;
        }

        Error(node, path, $"must be a mapping of keys to values, not {Describe(node)}");
        return null;
    }

    /// <summary>Reports every key of a mapping that is not one of <paramref name="allowed"/>.</summary>
    public void AllowOnly(YamlMapping mapping, string path, params string[] allowed)
    {
        foreach (var (key, _) in mapping.Entries)
        {
            if (Array.IndexOf(allowed, key.Value) < 0)
            {
                Error(key, Join(path, key.Value), $"unknown key; use {string.Join(", ", allowed)}");
            }
        }
    }

    public static YamlNode? Get(YamlMapping mapping, string key) =>
        mapping.Entries.Find(e => string.Equals(e.Key.Value, key, StringComparison.Ordinal)).Value;

    /// <summary>Reads a non-blank text of at most <paramref name="maxLength"/> characters, with no control characters or unpaired surrogates.</summary>
    public string? Text(YamlNode node, string path, int maxLength = 200)
    {
        if (node is YamlScalar { IsNull: false } scalar && !string.IsNullOrWhiteSpace(scalar.Value))
        {
            var text = scalar.Value;
            if (text.Length > maxLength)
            {
                Error(node, path, $"is {text.Length} characters long; the limit is {maxLength}");
                return null;
            }

            if (text.AsSpan().ContainsAnyInRange('\u0000', '\u001F') || text.Contains('\u007F', StringComparison.Ordinal) || Internal.FieldRules.HasUnpairedSurrogate(text))
            {
                Error(node, path, "must not hold control characters or unpaired surrogates");
                return null;
            }

            return text;
        }

        Error(node, path, node is YamlScalar ? "must not be empty" : $"must be text, not {Describe(node)}");
        return null;
    }

    public double? Number(YamlNode node, string path)
    {
        if (node is YamlScalar { Plain: true } scalar)
        {
            if (TryInteger(scalar.Value, out var integer))
            {
                return integer;
            }

            if (double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                return number;
            }
        }

        Error(node, path, $"must be a number, not {Describe(node)}");
        return null;
    }

    public long? Integer(YamlNode node, string path, long min, long max)
    {
        if (node is YamlScalar { Plain: true } scalar && TryInteger(scalar.Value, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }

            Error(node, path, $"must be from {min} to {max}, not {scalar.Value}");
            return null;
        }

        Error(node, path, $"must be a whole number from {min} to {max}, not {Describe(node)}");
        return null;
    }

    public ulong? Unsigned(YamlNode node, string path)
    {
        if (node is YamlScalar { Plain: true } scalar)
        {
            var text = scalar.Value;
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)
                : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out hex))
            {
                return hex;
            }
        }

        Error(node, path, $"must be a whole number of 0 or more (decimal, or hexadecimal as 0x8000), not {Describe(node)}");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string path)
    {
        if (node is YamlScalar { IsNull: false } scalar && DurationText.TryParse(scalar.Value, out var duration))
        {
            if (duration <= TimeSpan.Zero)
            {
                Error(node, path, "must be longer than 0");
                return null;
            }

            if (duration.Ticks % TimeSpan.TicksPerMillisecond != 0)
            {
                Error(node, path, $"must be a whole number of milliseconds, not {Describe(node)}");
                return null;
            }

            return duration;
        }

        var hint = node is YamlScalar s && TryInteger(s.Value, out _) ? $"; write a unit, as {s.Value}s" : string.Empty;
        Error(node, path, $"must be a duration such as 60s, 500ms, 5m or 1h, not {Describe(node)}{hint}");
        return null;
    }

    /// <summary>Reads one of a fixed set of words.</summary>
    public int? Choice(YamlNode node, string path, IReadOnlyList<string> words)
    {
        if (node is YamlScalar scalar)
        {
            for (var i = 0; i < words.Count; i++)
            {
                if (string.Equals(words[i], scalar.Value, StringComparison.Ordinal))
                {
                    return i;
                }
            }
        }

        Error(node, path, $"must be one of {string.Join(", ", words)}, not {Describe(node)}");
        return null;
    }

    public static bool TryInteger(string text, out long value)
    {
        value = 0;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value >= 0;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMapping => "a mapping",
        YamlSequence => "a list",
        YamlScalar { IsNull: true } => "nothing",
        YamlScalar { Plain: false } scalar => $"the quoted text \"{scalar.Value}\"",
        YamlScalar scalar => $"'{scalar.Value}'",
        _ => "this",
    };
}
