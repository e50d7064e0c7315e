using System.Globalization;
using System.Text.Json;

namespace Flux.Devices.Internal;

/// <summary>
/// The text form of our enums in stores and files: snake case, as their JSON form (<see cref="SnakeCaseEnumConverter{TEnum}"/>).
/// One table per enum, built once, so that writing a row does not convert names.
/// </summary>
internal static class EnumText
{
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => Table<TEnum>.Names[Convert.ToInt32(value, CultureInfo.InvariantCulture)];

    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum =>
        Table<TEnum>.Values.TryGetValue(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a {typeof(TEnum).Name} (one of {string.Join(", ", Table<TEnum>.Names)}).");

    public static bool TryParse<TEnum>(string text, out TEnum value)
        where TEnum : struct, Enum => Table<TEnum>.Values.TryGetValue(text, out value);

    private static class Table<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly string[] Names = [.. Enum.GetValues<TEnum>().Select(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()))];

        public static readonly Dictionary<string, TEnum> Values = Enum.GetValues<TEnum>().ToDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), StringComparer.OrdinalIgnoreCase);
    }
}
