using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Flux.Devices.Postgres.Internal;

/// <summary>
/// Translates a <see cref="DeviceFilter"/> into a <c>WHERE</c> clause with the semantics of
/// <see cref="DeviceFilter.Matches"/>. Every value is a parameter; the only column names are fixed here; name patterns
/// become <c>LIKE</c> patterns with <c>%</c>, <c>_</c> and <c>\</c> escaped; metadata conditions become JSONB
/// containment (<c>@&gt;</c>), which the GIN index serves and which, like the in-memory filter, matches a string exactly,
/// a number numerically and a boolean, and never an object, an array or null.
/// </summary>
internal static class FilterSql
{
    /// <summary>Returns the condition (<c>TRUE</c> for an empty filter), adding its parameters to the command.</summary>
    public static string Where(DeviceFilter filter, NpgsqlCommand command)
    {
        var clauses = new List<string>();
        if (filter.Types.Count > 0)
        {
            clauses.Add($"type = ANY({Add(command, filter.Types.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        }

        if (filter.Sites.Count > 0)
        {
            clauses.Add($"site = ANY({Add(command, filter.Sites.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        }

        if (filter.States.Count > 0)
        {
            clauses.Add($"state = ANY({Add(command, filter.States.Select(Sql.Name).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        }

        if (filter.Active is { } active)
        {
            clauses.Add($"active = {Add(command, active, NpgsqlDbType.Boolean)}");
        }

        if (filter.Names.Count > 0)
        {
            var exact = filter.Names.Where(n => !n.Contains('*', StringComparison.Ordinal)).ToArray();
            var patterns = filter.Names.Where(n => n.Contains('*', StringComparison.Ordinal)).Select(LikePattern).ToArray();
            var names = new List<string>();
            if (exact.Length > 0)
            {
                names.Add($"name = ANY({Add(command, exact, NpgsqlDbType.Array | NpgsqlDbType.Text)})");
            }

            if (patterns.Length > 0)
            {
                names.Add($"name LIKE ANY({Add(command, patterns, NpgsqlDbType.Array | NpgsqlDbType.Text)})");
            }

            clauses.Add($"({string.Join(" OR ", names)})");
        }

        foreach (var condition in filter.Metadata)
        {
            var documents = condition.Values.SelectMany(value => Documents(condition.Path, value)).Distinct(StringComparer.Ordinal).ToList();
            clauses.Add($"({string.Join(" OR ", documents.Select(d => $"metadata @> {Add(command, d, NpgsqlDbType.Jsonb)}"))})");
        }

        return clauses.Count == 0 ? "TRUE" : string.Join(" AND ", clauses);
    }

    /// <summary>A <c>*</c> pattern as a <c>LIKE</c> pattern, whose escape character is PostgreSQL's default, the backslash.</summary>
    private static string LikePattern(string pattern)
    {
        var like = new StringBuilder(pattern.Length + 8);
        foreach (var c in pattern)
        {
            _ = c switch
            {
                '*' => like.Append('%'),
                '%' or '_' or '\\' => like.Append('\\').Append(c),
                _ => like.Append(c),
            };
        }

        return like.ToString();
    }

    /// <summary>
    /// The JSONB documents that contain the value at the path in each form the in-memory filter accepts: the text as a
    /// string; as a number when it reads as one; as a boolean when it is true or false in any case.
    /// </summary>
    private static IEnumerable<string> Documents(IReadOnlyList<string> path, string value)
    {
        yield return Document(path, writer => writer.WriteStringValue(value));
        if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            yield return Document(path, writer => writer.WriteNumberValue(number));
        }

        if (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            var flag = value.Length == 4;
            yield return Document(path, writer => writer.WriteBooleanValue(flag));
        }
    }

    private static string Document(IReadOnlyList<string> path, Action<Utf8JsonWriter> writeValue)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            foreach (var key in path)
            {
                writer.WriteStartObject();
                writer.WritePropertyName(key);
            }

            writeValue(writer);
            for (var i = 0; i < path.Count; i++)
            {
                writer.WriteEndObject();
            }
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Add(NpgsqlCommand command, object value, NpgsqlDbType type)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        return $"${command.Parameters.Count}";
    }
}
