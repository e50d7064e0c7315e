namespace Flux.Devices.RegisterMaps;

/// <summary>
/// How a value's bytes lie in consecutive registers, named by where the most significant byte A of a 32-bit value
/// <c>ABCD</c> ends up. Modbus itself is big-endian within a register; devices differ in the order of registers
/// (word order) and sometimes of the bytes within them. For 64-bit values the same rule applies to all four
/// registers: a word swap reverses them.
/// </summary>
public enum ByteOrder
{
    /// <summary>Big-endian: registers <c>[AB, CD]</c>; the spec's order and the default.</summary>
    ABCD = 0,

    /// <summary>Word-swapped: registers <c>[CD, AB]</c> (mbpoll without <c>-B</c>, many meters).</summary>
    CDAB = 1,

    /// <summary>Byte-swapped within each register: <c>[BA, DC]</c>.</summary>
    BADC = 2,

    /// <summary>Little-endian: registers <c>[DC, BA]</c>.</summary>
    DCBA = 3,
}
