using System.Globalization;
using System.Text.Json;

namespace Flux.Devices.Storage;

/// <summary>
/// The text form of the library's enums (<see cref="DeviceState"/>, <see cref="DeviceTrigger"/>,
/// <see cref="Lifecycle.DeviceChangeKind"/>, <see cref="Health.DeviceHealthStatus"/>, ...) in stores and files: snake
/// case (<c>decommissioned</c>, <c>poll_succeeded</c>), as in their JSON form. Stores that keep these values as text
/// use it so that every store holds the same text.
/// </summary>
/// <remarks>One table per enum, built once, so that writing a row does not convert names.</remarks>
public static class EnumText
{
    /// <summary>Gets the text of a value.</summary>
    /// <typeparam name="TEnum">The enum, one whose values run from 0 without gaps (as the library's do).</typeparam>
    /// <param name="value">A defined value.</param>
    /// <returns>The snake-case name.</returns>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => Table<TEnum>.Names[Convert.ToInt32(value, CultureInfo.InvariantCulture)];

    /// <summary>Reads the text of a value (case-insensitive).</summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    /// <param name="text">The snake-case name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="FormatException">The text names no value; the message lists the names.</exception>
    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum =>
        Table<TEnum>.Values.TryGetValue(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a {typeof(TEnum).Name} (one of {string.Join(", ", Table<TEnum>.Names)}).");

    internal static bool TryParse<TEnum>(string text, out TEnum value)
        where TEnum : struct, Enum => Table<TEnum>.Values.TryGetValue(text, out value);

    private static class Table<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly string[] Names = [.. Enum.GetValues<TEnum>().Select(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()))];

        public static readonly Dictionary<string, TEnum> Values = Enum.GetValues<TEnum>().ToDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), StringComparer.OrdinalIgnoreCase);
    }
}
