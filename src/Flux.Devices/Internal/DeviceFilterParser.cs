using System.Text;

namespace Flux.Devices.Internal;

/// <summary>Reads the <c>--filter</c> grammar: <c>key=value|value, key=value, ...</c>.</summary>
internal static class DeviceFilterParser
{
    private const string KnownKeys = "type, site, name, state, active or metadata.<key>";

    public static DeviceFilter Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DeviceFilter.All;
        }

        var types = new List<string>();
        var sites = new List<string>();
        var names = new List<string>();
        var states = new List<DeviceState>();
        bool? active = null;
        var metadata = new List<MetadataCondition>();
        var seenKeys = new HashSet<string>(StringComparer.Ordinal);

        var pos = 0;
        while (true)
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

            var key = text[keyStart..pos];
            var normalizedKey = key.StartsWith("metadata.", StringComparison.OrdinalIgnoreCase)
                ? "metadata." + key["metadata.".Length..]
                : key.ToLowerInvariant();
            SkipSpaces(text, ref pos);
            if (pos >= text.Length || text[pos] != '=')
            {
                throw Error(text, pos, $"expected '=' after '{key}'");
            }

            pos++;
            var values = ReadValues(text, ref pos);

            if (!seenKeys.Add(normalizedKey))
            {
                throw Error(text, keyStart, $"'{key}' appears twice; give several values as {key}=a|b");
            }

            switch (normalizedKey)
            {
                case "type":
                    foreach (var (value, at) in values)
                    {
                        if (!DeviceTypeDefinition.IsValidName(value))
                        {
                            throw Error(text, at, $"'{value}' is not a device type name (lower-case letters, digits and underscores)");
                        }

                        types.Add(value);
                    }

                    break;
                case "site":
                    sites.AddRange(values.Select(v => v.Value));
                    break;
                case "name":
                    names.AddRange(values.Select(v => v.Value));
                    break;
                case "state":
                    foreach (var (value, at) in values)
                    {
                        states.Add(ParseState(text, value, at));
                    }

                    break;
                case "active":
                    if (values.Count != 1)
                    {
                        throw Error(text, values[1].At, "'active' takes one value, true or false");
                    }

                    active = bool.TryParse(values[0].Value, out var flag)
                        ? flag
                        : throw Error(text, values[0].At, $"'active' must be true or false, not '{values[0].Value}'");
                    break;
                default:
                    if (!normalizedKey.StartsWith("metadata.", StringComparison.Ordinal))
                    {
                        throw Error(text, keyStart, $"unknown key '{key}'; use {KnownKeys}");
                    }

                    var path = normalizedKey["metadata.".Length..].Split('.');
                    if (path.Any(string.IsNullOrEmpty))
                    {
                        throw Error(text, keyStart, $"empty metadata key in '{key}'; write metadata.<key> or metadata.<key>.<key>");
                    }

                    metadata.Add(new MetadataCondition(path, [.. values.Select(v => v.Value)]));
                    break;
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
            Types = types,
            Sites = sites,
            Names = names,
            States = states,
            Active = active,
            Metadata = metadata,
        };
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
}
