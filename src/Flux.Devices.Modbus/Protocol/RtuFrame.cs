namespace Flux.Devices.Modbus.Protocol;

/// <summary>
/// The one place that reads and writes RTU framing (Modbus over Serial Line v1.02, 2.5.1): unit id, PDU and a
/// CRC-16/MODBUS (reflected polynomial 0xA001, initial value 0xFFFF, low byte first). RTU has no length field, so a
/// frame's length follows from its function code, and the measuring functions are total: for any bytes they return a
/// length, "need more data" or "invalid" with a reason.
/// </summary>
internal static class RtuFrame
{
    /// <summary>The unit id in front of the PDU.</summary>
    public const int HeaderLength = 1;

    /// <summary>The CRC behind the PDU.</summary>
    public const int CrcLength = 2;

    /// <summary>The largest RTU frame: unit id, a PDU of 253 bytes, CRC.</summary>
    public const int MaxFrameLength = HeaderLength + ModbusFrame.MaxPduLength + CrcLength;

    private static readonly ushort[] CrcTable = BuildCrcTable();

    /// <summary>Computes the CRC-16/MODBUS of some bytes.</summary>
    /// <param name="data">The bytes (a frame without its CRC).</param>
    /// <returns>The CRC; it goes on the wire low byte first.</returns>
    public static ushort Crc(ReadOnlySpan<byte> data)
    {
        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ CrcTable[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    /// <summary>Writes the unit id in front of a PDU already written at <see cref="HeaderLength"/>, and the CRC behind it.</summary>
    /// <param name="frame">The frame buffer.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="pduLength">The length of the PDU.</param>
    /// <returns>The whole frame's length.</returns>
    public static int Write(Span<byte> frame, byte unitId, int pduLength)
    {
        frame[0] = unitId;
        var crc = Crc(frame[..(HeaderLength + pduLength)]);
        frame[HeaderLength + pduLength] = (byte)crc;
        frame[HeaderLength + pduLength + 1] = (byte)(crc >> 8);
        return HeaderLength + pduLength + CrcLength;
    }

    /// <summary>Checks the CRC of a whole frame.</summary>
    /// <param name="frame">The frame, CRC included.</param>
    /// <param name="error">Which CRC came and which was expected, when they differ.</param>
    /// <returns><see langword="true"/> when the CRC matches.</returns>
    public static bool CheckCrc(ReadOnlySpan<byte> frame, out string? error)
    {
        var expected = Crc(frame[..^CrcLength]);
        var received = (ushort)(frame[^2] | (frame[^1] << 8));
        error = expected == received ? null : $"CRC 0x{received:X4} on a {frame.Length}-byte frame; its bytes give 0x{expected:X4}";
        return error is null;
    }

    /// <summary>Measures the reply frame at the start of <paramref name="buffer"/> from its function code.</summary>
    /// <param name="buffer">The bytes received so far.</param>
    /// <param name="frameLength">The whole frame's length (CRC included), when known.</param>
    /// <param name="error">Why the bytes cannot be framed, when invalid.</param>
    /// <returns>What was found: complete means the length is known and that many bytes are there.</returns>
    public static FrameStatus MeasureReply(ReadOnlySpan<byte> buffer, out int frameLength, out string? error)
    {
        error = null;
        frameLength = 0;
        if (buffer.Length < 2)
        {
            return FrameStatus.NeedMoreData;
        }

        var fc = buffer[1];
        int length;
        if ((fc & ModbusFunction.ExceptionFlag) != 0)
        {
            length = 5; // unit, function | 0x80, code, CRC
        }
        else
        {
            switch (fc)
            {
                case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs or ModbusFunction.ReadHoldingRegisters
                    or ModbusFunction.ReadInputRegisters or ModbusFunction.ReadWriteMultipleRegisters:
                    if (buffer.Length < 3)
                    {
                        return FrameStatus.NeedMoreData;
                    }

                    length = 3 + buffer[2] + CrcLength;
                    break;
                case ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister
                    or ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters:
                    length = 8; // unit, function, address, value or quantity, CRC
                    break;
                case ModbusFunction.EncapsulatedInterface:
                    return MeasureDeviceIdentification(buffer, out frameLength, out error);
                default:
                    error = $"function 0x{fc:X2}, whose reply length is unknown";
                    return FrameStatus.Invalid;
            }
        }

        return Measured(buffer, length, out frameLength, out error);
    }

    /// <summary>Measures the request frame at the start of <paramref name="buffer"/> (the server's side).</summary>
    /// <param name="buffer">The bytes received so far.</param>
    /// <param name="frameLength">The whole frame's length (CRC included), when known.</param>
    /// <param name="error">Why the bytes cannot be framed, when invalid.</param>
    /// <returns>What was found: complete means the length is known and that many bytes are there.</returns>
    public static FrameStatus MeasureRequest(ReadOnlySpan<byte> buffer, out int frameLength, out string? error)
    {
        error = null;
        frameLength = 0;
        if (buffer.Length < 2)
        {
            return FrameStatus.NeedMoreData;
        }

        int length;
        switch (buffer[1])
        {
            case >= ModbusFunction.ReadCoils and <= ModbusFunction.WriteSingleRegister:
                length = 8; // unit, function, address, quantity or value, CRC
                break;
            case ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters:
                if (buffer.Length < 7)
                {
                    return FrameStatus.NeedMoreData;
                }

                length = 7 + buffer[6] + CrcLength;
                break;
            case ModbusFunction.ReadWriteMultipleRegisters:
                if (buffer.Length < 11)
                {
                    return FrameStatus.NeedMoreData;
                }

                length = 11 + buffer[10] + CrcLength;
                break;
            case ModbusFunction.EncapsulatedInterface:
                length = 7; // unit, 2B, 0E, read device id code, object id, CRC
                break;
            default:
                error = $"function 0x{buffer[1]:X2}, whose request length is unknown";
                return FrameStatus.Invalid;
        }

        return Measured(buffer, length, out frameLength, out error);
    }

    private static FrameStatus MeasureDeviceIdentification(ReadOnlySpan<byte> buffer, out int frameLength, out string? error)
    {
        // unit 2B 0E code conformity more-follows next-object count { id length value }* CRC
        frameLength = 0;
        error = null;
        if (buffer.Length >= 3 && buffer[2] != ModbusFunction.ReadDeviceIdentificationMei)
        {
            error = $"MEI type 0x{buffer[2]:X2}, whose reply length is unknown";
            return FrameStatus.Invalid;
        }

        if (buffer.Length < 8)
        {
            return FrameStatus.NeedMoreData;
        }

        var at = 8;
        for (var i = 0; i < buffer[7]; i++)
        {
            if (at + 2 > MaxFrameLength - CrcLength)
            {
                error = $"device identification object {i + 1} of {buffer[7]} runs past the longest frame";
                return FrameStatus.Invalid;
            }

            if (buffer.Length < at + 2)
            {
                return FrameStatus.NeedMoreData;
            }

            at += 2 + buffer[at + 1];
        }

        return Measured(buffer, at + CrcLength, out frameLength, out error);
    }

    private static FrameStatus Measured(ReadOnlySpan<byte> buffer, int length, out int frameLength, out string? error)
    {
        frameLength = 0;
        error = null;
        if (length > MaxFrameLength)
        {
            error = $"a frame of {length} bytes; the longest RTU frame is {MaxFrameLength}";
            return FrameStatus.Invalid;
        }

        // Known from here on, even while bytes are missing (a timeout says how many came of how many).
        frameLength = length;
        return buffer.Length < length ? FrameStatus.NeedMoreData : FrameStatus.Complete;
    }

    private static ushort[] BuildCrcTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0xA001) : (ushort)(crc >> 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
