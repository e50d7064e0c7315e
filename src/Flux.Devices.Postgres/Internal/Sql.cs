namespace Flux.Devices.Postgres.Internal;

/// <summary>Identifiers, timestamps and the text forms of our enums in the tables (the core's, snake case).</summary>
internal static class Sql
{
    /// <summary>Quotes an identifier (the schema name, already restricted to <c>[a-z0-9_]</c> by the options).</summary>
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary>Converts to UTC and cuts to the microsecond, PostgreSQL's precision.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value) => Storage.StoredTime.ToMicroseconds(value);

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => Storage.EnumText.Name(value);

    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum => Storage.EnumText.Parse<TEnum>(text);
}
