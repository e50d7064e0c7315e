using System.Text;

namespace Flux.Devices.Internal;

/// <summary>Reads the <c>--filter</c> grammar: <c>key=value|value, key=value, ...</c>.</summary>
internal static class DeviceFilterParser
{
    private const string KnownKeys = "type, site, name, state, active or metadata.<key>";

    /// <summary>What each key does with its values, in a filter under construction; <c>metadata.&lt;key&gt;</c> is handled apart.</summary>
    private static readonly Dictionary<string, Action<Conditions, string, List<(string Value, int At)>>> KeySteps = new(StringComparer.Ordinal)
    {
        ["type"] = static (conditions, text, values) =>
        {
            foreach (var (value, at) in values)
            {
                if (!DeviceTypeDefinition.IsValidName(value))
                {
                    throw Error(text, at, $"'{value}' is not a device type name (lower-case letters, digits and underscores)");
                }

                conditions.Types.Add(value);
            }
        },
        ["site"] = static (conditions, _, values) => conditions.Sites.AddRange(values.Select(v => v.Value)),
        ["name"] = static (conditions, _, values) => conditions.Names.AddRange(values.Select(v => v.Value)),
        ["state"] = static (conditions, text, values) =>
        {
            foreach (var (value, at) in values)
            {
                conditions.States.Add(ParseState(text, value, at));
            }
        },
        ["active"] = static (conditions, text, values) =>
        {
            if (values.Count != 1)
            {
                throw Error(text, values[1].At, "'active' takes one value, true or false");
            }

            conditions.Active = bool.TryParse(values[0].Value, out var flag)
                ? flag
                : throw Error(text, values[0].At, $"'active' must be true or false, not '{values[0].Value}'");
        },
    };

    public static DeviceFilter Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DeviceFilter.All;
        }

        var conditions = new Conditions();
        var seenKeys = new HashSet<string>(StringComparer.Ordinal);
        var pos = 0;
        while (true)
        {
            var keyStart = ReadKey(text, ref pos, out var key, out var normalizedKey);
            var values = ReadValues(text, ref pos);
            if (!seenKeys.Add(normalizedKey))
            {
                throw Error(text, keyStart, $"'{key}' appears twice; give several values as {key}=a|b");
            }

            if (KeySteps.TryGetValue(normalizedKey, out var step))
            {
                step(conditions, text, values);
            }
            else
            {
                conditions.Metadata.Add(ReadMetadataCondition(text, keyStart, key, normalizedKey, values));
            }

            SkipSpaces(text, ref pos);
            if (pos == text.Length)
            {
                break;
            }

            if (text[pos] != ',')
            {
                throw Error(text, pos, $"expected ',' or the end, found '{text[pos]}'");
            }

            pos++;
        }

        return new DeviceFilter
        {
            Types = conditions.Types,
            Sites = conditions.Sites,
            Names = conditions.Names,
            States = conditions.States,
            Active = conditions.Active,
            Metadata = conditions.Metadata,
        };
    }

    /// <summary>Reads a key and the <c>=</c> after it; returns where the key starts.</summary>
    private static int ReadKey(string text, ref int pos, out string key, out string normalizedKey)
    {
        SkipSpaces(text, ref pos);
        var keyStart = pos;
        while (pos < text.Length && IsKeyChar(text[pos]))
        {
            pos++;
        }

        if (pos == keyStart)
        {
            throw Error(text, pos, pos < text.Length ? $"expected a key ({KnownKeys}), found '{text[pos]}'" : $"expected a key ({KnownKeys}) after ','");
        }

        key = text[keyStart..pos];
        normalizedKey = key.StartsWith("metadata.", StringComparison.OrdinalIgnoreCase)
            ? "metadata." + key["metadata.".Length..]
            : key.ToLowerInvariant();
        SkipSpaces(text, ref pos);
        if (pos >= text.Length || text[pos] != '=')
        {
            throw Error(text, pos, $"expected '=' after '{key}'");
        }

        pos++;
        return keyStart;
    }

    /// <summary>A <c>metadata.&lt;key&gt;[.&lt;key&gt;...]</c> condition; any other key is unknown.</summary>
    private static MetadataCondition ReadMetadataCondition(string text, int keyStart, string key, string normalizedKey, List<(string Value, int At)> values)
    {
        if (!normalizedKey.StartsWith("metadata.", StringComparison.Ordinal))
        {
            throw Error(text, keyStart, $"unknown key '{key}'; use {KnownKeys}");
        }

        var path = normalizedKey["metadata.".Length..].Split('.');
        if (path.Any(string.IsNullOrEmpty))
        {
            throw Error(text, keyStart, $"empty metadata key in '{key}'; write metadata.<key> or metadata.<key>.<key>");
        }

        return new MetadataCondition(path, [.. values.Select(v => v.Value)]);
    }

    private static List<(string Value, int At)> ReadValues(string text, ref int pos)
    {
        var values = new List<(string, int)>();
        while (true)
        {
            SkipSpaces(text, ref pos);
            var start = pos;
            string value;
            if (pos < text.Length && text[pos] == '"')
            {
                value = ReadQuoted(text, ref pos);
            }
            else
            {
                while (pos < text.Length && text[pos] is not (',' or '|'))
                {
                    if (text[pos] is '=' or '"')
                    {
                        throw Error(text, pos, $"unexpected '{text[pos]}' in a value; separate conditions with ',', or put a value that holds it in double quotes");
                    }

                    pos++;
                }

                value = text[start..pos].TrimEnd();
                if (value.Length == 0)
                {
                    throw Error(text, start, "expected a value");
                }
            }

            if (value.Contains('\0', StringComparison.Ordinal) || FieldRules.HasUnpairedSurrogate(value))
            {
                throw Error(text, start, "a value must not contain U+0000 or an unpaired surrogate, which no store can compare");
            }

            values.Add((value, start));
            SkipSpaces(text, ref pos);
            if (pos < text.Length && text[pos] == '|')
            {
                pos++;
                continue;
            }

            return values;
        }
    }

    private static string ReadQuoted(string text, ref int pos)
    {
        var start = pos;
        pos++;
        var value = new StringBuilder();
        while (pos < text.Length)
        {
            var c = text[pos++];
            if (c == '"')
            {
                return value.ToString();
            }

            if (c == '\\')
            {
                if (pos >= text.Length || text[pos] is not ('"' or '\\'))
                {
                    throw Error(text, pos - 1, "only \\\" and \\\\ may follow a backslash in a quoted value");
                }

                c = text[pos++];
            }

            value.Append(c);
        }

        throw Error(text, start, "the quoted value is not closed");
    }

    private static DeviceState ParseState(string text, string value, int at)
    {
        var compact = value.Replace("_", string.Empty, StringComparison.Ordinal);
        foreach (var state in Enum.GetValues<DeviceState>())
        {
            if (string.Equals(state.ToString(), compact, StringComparison.OrdinalIgnoreCase))
            {
                return state;
            }
        }

        throw Error(text, at, $"unknown state '{value}'; use {string.Join(", ", Enum.GetNames<DeviceState>().Select(n => n.ToLowerInvariant()))}");
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

    private static void SkipSpaces(string text, ref int pos)
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
        {
            pos++;
        }
    }

    private static DeviceFilterException Error(string text, int position, string reason) => new(text, position, reason);

    /// <summary>The conditions read so far.</summary>
    private sealed class Conditions
    {
        public List<string> Types { get; } = [];

        public List<string> Sites { get; } = [];

        public List<string> Names { get; } = [];

        public List<DeviceState> States { get; } = [];

        public bool? Active { get; set; }

        public List<MetadataCondition> Metadata { get; } = [];
    }
}
