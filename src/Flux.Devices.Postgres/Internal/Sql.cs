using System.Text.Json;

namespace Flux.Devices.Postgres.Internal;

/// <summary>Identifiers and the text forms of our enums in the tables (snake case, as the JSON forms).</summary>
internal static class Sql
{
    /// <summary>Quotes an identifier (the schema name, already restricted to <c>[a-z0-9_]</c> by the options).</summary>
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>Converts to UTC and cuts to the microsecond, PostgreSQL's precision.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value) => Devices.Internal.StoredTime.ToMicroseconds(value);

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => EnumText<TEnum>.Names[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)];

    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum =>
        EnumText<TEnum>.Values.TryGetValue(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a {typeof(TEnum).Name} (one of {string.Join(", ", EnumText<TEnum>.Names)}).");

    private static class EnumText<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly string[] Names = [.. Enum.GetValues<TEnum>().Select(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()))];

        public static readonly Dictionary<string, TEnum> Values = Enum.GetValues<TEnum>().ToDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), StringComparer.OrdinalIgnoreCase);
    }
}
