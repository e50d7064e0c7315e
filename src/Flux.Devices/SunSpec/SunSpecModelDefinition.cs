namespace Flux.Devices.SunSpec;

/// <summary>The SunSpec point types, as the model definitions name them.</summary>
internal enum SunSpecPointType
{
    /// <summary>A signed 16-bit integer; not implemented: 0x8000.</summary>
    Int16,

    /// <summary>An unsigned 16-bit integer; not implemented: 0xFFFF.</summary>
    UInt16,

    /// <summary>The number of a repeating group's instances (an unsigned 16-bit integer).</summary>
    Count,

    /// <summary>A 16-bit accumulator; not implemented: 0.</summary>
    Acc16,

    /// <summary>A 16-bit enumeration; not implemented: 0xFFFF.</summary>
    Enum16,

    /// <summary>16 flags; not implemented: 0xFFFF.</summary>
    Bitfield16,

    /// <summary>A signed 32-bit integer; not implemented: 0x80000000.</summary>
    Int32,

    /// <summary>An unsigned 32-bit integer; not implemented: 0xFFFFFFFF.</summary>
    UInt32,

    /// <summary>A 32-bit accumulator; not implemented: 0.</summary>
    Acc32,

    /// <summary>A 32-bit enumeration; not implemented: 0xFFFFFFFF.</summary>
    Enum32,

    /// <summary>32 flags; not implemented: 0xFFFFFFFF.</summary>
    Bitfield32,

    /// <summary>An IPv4 address in two registers; not implemented: 0.</summary>
    IpAddr,

    /// <summary>A signed 64-bit integer; not implemented: 0x8000000000000000.</summary>
    Int64,

    /// <summary>An unsigned 64-bit integer; not implemented: 0xFFFFFFFFFFFFFFFF.</summary>
    UInt64,

    /// <summary>A 64-bit accumulator; not implemented: 0.</summary>
    Acc64,

    /// <summary>64 flags; not implemented: 0xFFFFFFFFFFFFFFFF.</summary>
    Bitfield64,

    /// <summary>An IEEE 754 single-precision float; not implemented: NaN.</summary>
    Float32,

    /// <summary>An IEEE 754 double-precision float; not implemented: NaN.</summary>
    Float64,

    /// <summary>Text, two characters per register; not implemented: all zero.</summary>
    String,

    /// <summary>A scale factor: a signed 16-bit power of ten; not implemented: 0x8000.</summary>
    Sunssf,

    /// <summary>Padding for alignment; never read as a value.</summary>
    Pad,

    /// <summary>An IPv6 address in eight registers; not implemented: all zero.</summary>
    Ipv6Addr,

    /// <summary>An EUI-48 (MAC) address in four registers; not implemented: all zero.</summary>
    Eui48,
}

/// <summary>One point of a SunSpec group, as the model definition gives it.</summary>
/// <param name="Name">The point's name (<c>SoC</c>, <c>W</c>).</param>
/// <param name="Type">Its type.</param>
/// <param name="Size">How many registers it takes.</param>
/// <param name="Offset">Its first register, counted from the start of its group instance.</param>
/// <param name="ScaleFactor">The name of the <c>sunssf</c> point that scales it, when one does.</param>
/// <param name="ScaleFactorValue">The fixed power of ten that scales it, when the definition gives a number instead.</param>
/// <param name="Units">Its unit (<c>W</c>, <c>%WHRtg</c>), when it has one.</param>
/// <param name="Writable">Whether it may be written (access <c>RW</c>).</param>
/// <param name="Mandatory">Whether a device must implement it (mandatory <c>M</c>).</param>
/// <param name="Symbols">
/// The names of its values (an enumeration: <c>CHARGING</c> = 4) or of its bits (a bitfield: <c>OVER_TEMP_ALARM</c> =
/// bit 1), as the definition gives them; empty when it gives none.
/// </param>
internal sealed record SunSpecPointDefinition(
    string Name,
    SunSpecPointType Type,
    int Size,
    int Offset,
    string? ScaleFactor,
    int? ScaleFactorValue,
    string? Units,
    bool Writable,
    bool Mandatory,
    IReadOnlyList<SunSpecSymbol>? Symbols = null)
{
    /// <summary>Gets a value indicating whether the point is a bitfield (its symbols name bits).</summary>
    public bool IsBitfield => Type is SunSpecPointType.Bitfield16 or SunSpecPointType.Bitfield32 or SunSpecPointType.Bitfield64;

    /// <summary>
    /// Names a value of the point by its symbols: an enumeration's symbol (<c>CHARGING</c>), or a bitfield's set bits
    /// by name, lowest first and comma-separated (<c>OVER_TEMP_ALARM, OVER_TEMP_WARNING</c>; a bit without a symbol as
    /// <c>bit 17</c>).
    /// </summary>
    /// <param name="value">The value as read (a whole number).</param>
    /// <returns>
    /// The name, or <see langword="null"/> when the point has no symbols, the value is not a whole number in the point's
    /// range, an enumeration's value has no symbol, or a bitfield has no bit set.
    /// </returns>
    public string? SymbolOf(double value)
    {
        if (Symbols is not { Count: > 0 } symbols || value < 0 || value != Math.Floor(value) || value >= 18446744073709551616d)
        {
            return null;
        }

        var number = (ulong)value;
        if (!IsBitfield)
        {
            foreach (var symbol in symbols)
            {
                if (symbol.Value == number)
                {
                    return symbol.Name;
                }
            }

            return null;
        }

        if (number == 0)
        {
            return null;
        }

        var names = new List<string>();
        for (var bit = 0; bit < 64; bit++)
        {
            if ((number & (1UL << bit)) == 0)
            {
                continue;
            }

            string? name = null;
            foreach (var symbol in symbols)
            {
                if (symbol.Value == (ulong)bit)
                {
                    name = symbol.Name;
                    break;
                }
            }

            names.Add(name ?? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bit {bit}"));
        }

        return string.Join(", ", names);
    }
}

/// <summary>A named value of an enumeration point, or a named bit (its number) of a bitfield point.</summary>
/// <param name="Name">The symbol's name as the definition spells it (<c>CHARGING</c>).</param>
/// <param name="Value">The value, or the bit's number counted from 0.</param>
internal readonly record struct SunSpecSymbol(string Name, ulong Value);

/// <summary>
/// A group of points: a model's top-level group, or a group within it that repeats <see cref="Count"/> times (or
/// once, when it does not repeat).
/// </summary>
/// <param name="Name">The group's name (<c>lithium_ion_string_module</c>).</param>
/// <param name="Points">Its own points, by offset.</param>
/// <param name="Groups">The groups inside it, laid out after its points.</param>
/// <param name="Count">
/// How many times it repeats: <see langword="null"/> once; a number (0 in the definitions: as many times as the model's
/// length holds); or the name of a <c>count</c>/<c>uint16</c> point of an enclosing group.
/// </param>
internal sealed record SunSpecGroupDefinition(
    string Name,
    IReadOnlyList<SunSpecPointDefinition> Points,
    IReadOnlyList<SunSpecGroupDefinition> Groups,
    SunSpecGroupCount Count)
{
    /// <summary>Gets the registers of the group's own points.</summary>
    public int PointsLength { get; } = Points.Count == 0 ? 0 : Points[^1].Offset + Points[^1].Size;

    /// <summary>Gets a value indicating whether the group repeats (a count other than once).</summary>
    public bool Repeats => Count.IsRepeating;
}

/// <summary>How many times a group occurs: once, a fixed number, as many as the model's length holds, or a point's value.</summary>
/// <param name="Fixed">The fixed number; 0 for "as many as the model holds"; ignored when <paramref name="Point"/> is given.</param>
/// <param name="Point">The name of the point holding the count.</param>
/// <param name="IsRepeating">Whether the definition gave a count at all.</param>
internal readonly record struct SunSpecGroupCount(int Fixed, string? Point, bool IsRepeating)
{
    /// <summary>Gets the count of a group that does not repeat.</summary>
    public static SunSpecGroupCount Once => new(1, null, false);
}

/// <summary>A SunSpec model definition: its id and its top-level group (whose first two points are <c>ID</c> and <c>L</c>).</summary>
/// <param name="Id">The model id.</param>
/// <param name="Group">The top-level group.</param>
internal sealed record SunSpecModelDefinition(int Id, SunSpecGroupDefinition Group)
{
    /// <summary>Gets the top-level group's label (<c>Battery Base Model</c>), when the definition gives one.</summary>
    public string? Label { get; init; }
}
