using System.Buffers.Binary;
using System.Text;

namespace Flux.Devices.RegisterMaps;

/// <summary>
/// Decodes and encodes values held in Modbus registers, in any <see cref="ByteOrder"/>, without allocating
/// (strings aside). Registers are the 16-bit values as read (big-endian on the wire, already decoded).
/// </summary>
/// <example>
/// <code>
/// ushort[] registers = [0x42F6, 0xE979];
/// float value = RegisterCodec.ReadSingle(registers);                           // 123.456f
/// float swapped = RegisterCodec.ReadSingle([0xE979, 0x42F6], ByteOrder.CDAB);  // 123.456f
/// </code>
/// </example>
public static class RegisterCodec
{
    /// <summary>Gets how many registers a type takes; for <see cref="RegisterDataType.String"/>, one (per two characters).</summary>
    /// <param name="type">The type.</param>
    /// <returns>The register count.</returns>
    public static int RegisterCount(RegisterDataType type) => type switch
    {
        RegisterDataType.Int16 or RegisterDataType.UInt16 or RegisterDataType.String => 1,
        RegisterDataType.Int32 or RegisterDataType.UInt32 or RegisterDataType.Float32 => 2,
        RegisterDataType.Int64 or RegisterDataType.UInt64 or RegisterDataType.Float64 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a register data type."),
    };

    /// <summary>Reads a signed 16-bit integer from one register.</summary>
    /// <param name="registers">The registers; at least one.</param>
    /// <param name="order">The byte order; only a byte swap (<see cref="ByteOrder.BADC"/>, <see cref="ByteOrder.DCBA"/>) matters.</param>
    /// <returns>The value.</returns>
    public static short ReadInt16(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD) => (short)ReadUInt16(registers, order);

    /// <summary>Reads an unsigned 16-bit integer from one register.</summary>
    /// <param name="registers">The registers; at least one.</param>
    /// <param name="order">The byte order; only a byte swap matters.</param>
    /// <returns>The value.</returns>
    public static ushort ReadUInt16(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[2];
        Normalize(registers, bytes, order);
        return BinaryPrimitives.ReadUInt16BigEndian(bytes);
    }

    /// <summary>Reads a signed 32-bit integer from two registers.</summary>
    /// <param name="registers">The registers; at least two.</param>
    /// <param name="order">The byte order.</param>
    /// <returns>The value.</returns>
    public static int ReadInt32(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD) => (int)ReadUInt32(registers, order);

    /// <summary>Reads an unsigned 32-bit integer from two registers.</summary>
    /// <param name="registers">The registers; at least two.</param>
    /// <param name="order">The byte order.</param>
    /// <returns>The value.</returns>
    public static uint ReadUInt32(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[4];
        Normalize(registers, bytes, order);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>Reads an IEEE 754 single-precision float from two registers.</summary>
    /// <param name="registers">The registers; at least two.</param>
    /// <param name="order">The byte order.</param>
    /// <returns>The value.</returns>
    public static float ReadSingle(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD) =>
        BitConverter.UInt32BitsToSingle(ReadUInt32(registers, order));

    /// <summary>Reads a signed 64-bit integer from four registers.</summary>
    /// <param name="registers">The registers; at least four.</param>
    /// <param name="order">The byte order.</param>
    /// <returns>The value.</returns>
    public static long ReadInt64(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD) => (long)ReadUInt64(registers, order);

    /// <summary>Reads an unsigned 64-bit integer from four registers.</summary>
    /// <param name="registers">The registers; at least four.</param>
    /// <param name="order">The byte order.</param>
    /// <returns>The value.</returns>
    public static ulong ReadUInt64(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[8];
        Normalize(registers, bytes, order);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    /// <summary>Reads an IEEE 754 double-precision float from four registers.</summary>
    /// <param name="registers">The registers; at least four.</param>
    /// <param name="order">The byte order.</param>
    /// <returns>The value.</returns>
    public static double ReadDouble(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD) =>
        BitConverter.UInt64BitsToDouble(ReadUInt64(registers, order));

    /// <summary>
    /// Reads text, two ASCII characters per register (high byte first, unless byte-swapped), up to the first NUL,
    /// without trailing spaces. Bytes outside ASCII are read as Latin-1.
    /// </summary>
    /// <param name="registers">The registers.</param>
    /// <param name="order">The byte order; only a byte swap matters.</param>
    /// <returns>The text.</returns>
    public static string ReadString(ReadOnlySpan<ushort> registers, ByteOrder order = ByteOrder.ABCD)
    {
        var swap = order is ByteOrder.BADC or ByteOrder.DCBA;
        Span<byte> bytes = registers.Length <= 128 ? stackalloc byte[registers.Length * 2] : new byte[registers.Length * 2];
        for (var i = 0; i < registers.Length; i++)
        {
            var r = registers[i];
            bytes[2 * i] = (byte)(swap ? r : r >> 8);
            bytes[(2 * i) + 1] = (byte)(swap ? r >> 8 : r);
        }

        var end = bytes.IndexOf((byte)0);
        var text = end >= 0 ? bytes[..end] : bytes;
        return Encoding.Latin1.GetString(text).TrimEnd(' ');
    }

    /// <summary>Writes a signed 16-bit integer into one register.</summary>
    /// <param name="destination">The registers; at least one.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteInt16(Span<ushort> destination, short value, ByteOrder order = ByteOrder.ABCD) =>
        WriteUInt16(destination, (ushort)value, order);

    /// <summary>Writes an unsigned 16-bit integer into one register.</summary>
    /// <param name="destination">The registers; at least one.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteUInt16(Span<ushort> destination, ushort value, ByteOrder order = ByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        Denormalize(bytes, destination, order);
    }

    /// <summary>Writes a signed 32-bit integer into two registers.</summary>
    /// <param name="destination">The registers; at least two.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteInt32(Span<ushort> destination, int value, ByteOrder order = ByteOrder.ABCD) =>
        WriteUInt32(destination, (uint)value, order);

    /// <summary>Writes an unsigned 32-bit integer into two registers.</summary>
    /// <param name="destination">The registers; at least two.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteUInt32(Span<ushort> destination, uint value, ByteOrder order = ByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Denormalize(bytes, destination, order);
    }

    /// <summary>Writes an IEEE 754 single-precision float into two registers.</summary>
    /// <param name="destination">The registers; at least two.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteSingle(Span<ushort> destination, float value, ByteOrder order = ByteOrder.ABCD) =>
        WriteUInt32(destination, BitConverter.SingleToUInt32Bits(value), order);

    /// <summary>Writes a signed 64-bit integer into four registers.</summary>
    /// <param name="destination">The registers; at least four.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteInt64(Span<ushort> destination, long value, ByteOrder order = ByteOrder.ABCD) =>
        WriteUInt64(destination, (ulong)value, order);

    /// <summary>Writes an unsigned 64-bit integer into four registers.</summary>
    /// <param name="destination">The registers; at least four.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteUInt64(Span<ushort> destination, ulong value, ByteOrder order = ByteOrder.ABCD)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        Denormalize(bytes, destination, order);
    }

    /// <summary>Writes an IEEE 754 double-precision float into four registers.</summary>
    /// <param name="destination">The registers; at least four.</param>
    /// <param name="value">The value.</param>
    /// <param name="order">The byte order.</param>
    public static void WriteDouble(Span<ushort> destination, double value, ByteOrder order = ByteOrder.ABCD) =>
        WriteUInt64(destination, BitConverter.DoubleToUInt64Bits(value), order);

    /// <summary>Writes ASCII text, two characters per register, padding the rest of <paramref name="destination"/> with NUL.</summary>
    /// <param name="destination">The registers.</param>
    /// <param name="value">The text; ASCII only, at most two characters per register.</param>
    /// <param name="order">The byte order; only a byte swap matters.</param>
    /// <exception cref="ArgumentException">The text is longer than the registers hold or is not ASCII.</exception>
    public static void WriteString(Span<ushort> destination, string value, ByteOrder order = ByteOrder.ABCD)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > destination.Length * 2)
        {
            throw new ArgumentException($"'{value}' needs {(value.Length + 1) / 2} registers; {destination.Length} were given.", nameof(value));
        }

        if (!Ascii.IsValid(value))
        {
            throw new ArgumentException($"'{value}' is not ASCII.", nameof(value));
        }

        var swap = order is ByteOrder.BADC or ByteOrder.DCBA;
        for (var i = 0; i < destination.Length; i++)
        {
            var high = 2 * i < value.Length ? (byte)value[2 * i] : (byte)0;
            var low = (2 * i) + 1 < value.Length ? (byte)value[(2 * i) + 1] : (byte)0;
            destination[i] = swap ? (ushort)((low << 8) | high) : (ushort)((high << 8) | low);
        }
    }

    /// <summary>Copies registers into big-endian <c>ABCD...</c> bytes, undoing the word and byte swaps of <paramref name="order"/>.</summary>
    private static void Normalize(ReadOnlySpan<ushort> registers, Span<byte> bytes, ByteOrder order)
    {
        var count = bytes.Length / 2;
        if (registers.Length < count)
        {
            throw new ArgumentException($"The value needs {count} registers; {registers.Length} were given.", nameof(registers));
        }

        var wordSwap = order is ByteOrder.CDAB or ByteOrder.DCBA;
        var byteSwap = order is ByteOrder.BADC or ByteOrder.DCBA;
        for (var i = 0; i < count; i++)
        {
            var r = registers[wordSwap ? count - 1 - i : i];
            if (byteSwap)
            {
                r = BinaryPrimitives.ReverseEndianness(r);
            }

            BinaryPrimitives.WriteUInt16BigEndian(bytes[(2 * i)..], r);
        }
    }

    /// <summary>Lays big-endian <c>ABCD...</c> bytes out in registers in <paramref name="order"/>.</summary>
    private static void Denormalize(ReadOnlySpan<byte> bytes, Span<ushort> registers, ByteOrder order)
    {
        var count = bytes.Length / 2;
        if (registers.Length < count)
        {
            throw new ArgumentException($"The value needs {count} registers; {registers.Length} were given.", nameof(registers));
        }

        var wordSwap = order is ByteOrder.CDAB or ByteOrder.DCBA;
        var byteSwap = order is ByteOrder.BADC or ByteOrder.DCBA;
        for (var i = 0; i < count; i++)
        {
            var r = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
            registers[wordSwap ? count - 1 - i : i] = byteSwap ? BinaryPrimitives.ReverseEndianness(r) : r;
        }
    }
}
