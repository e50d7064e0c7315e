using System.Buffers.Binary;

namespace Flux.Devices.Modbus.Protocol;

/// <summary>What <see cref="ModbusFrame.TryRead"/> found at the start of a buffer.</summary>
internal enum FrameStatus
{
    /// <summary>A whole, well-formed MBAP frame.</summary>
    Complete,

    /// <summary>A valid beginning of a frame; more bytes are needed.</summary>
    NeedMoreData,

    /// <summary>Bytes that cannot start a valid frame; the stream cannot be trusted any more.</summary>
    Invalid,
}

/// <summary>The MBAP header of a frame (Messaging on TCP/IP Implementation Guide v1.0b, 3.1.3).</summary>
/// <param name="TransactionId">Pairs a reply with its request.</param>
/// <param name="Length">The count of bytes that follow the length field: the unit id and the PDU (2..254).</param>
/// <param name="UnitId">The unit id.</param>
internal readonly record struct MbapHeader(ushort TransactionId, ushort Length, byte UnitId)
{
    /// <summary>Gets the length of the PDU (function code and data).</summary>
    public int PduLength => Length - 1;
}

/// <summary>
/// The one place that reads and writes MBAP framing. The reader is total: for any bytes it returns a frame,
/// "need more data" or "invalid" with a reason, and it never trusts a length field it has not range-checked.
/// </summary>
internal static class ModbusFrame
{
    /// <summary>The MBAP header, unit id included.</summary>
    public const int HeaderLength = 7;

    /// <summary>The largest PDU (function code and data).</summary>
    public const int MaxPduLength = 253;

    /// <summary>The largest TCP ADU: header and PDU.</summary>
    public const int MaxFrameLength = HeaderLength + MaxPduLength;

    /// <summary>Reads the frame at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The bytes received so far.</param>
    /// <param name="header">The header, when complete.</param>
    /// <param name="frameLength">The whole frame's length, when complete.</param>
    /// <param name="error">Why the bytes are invalid, when invalid.</param>
    /// <returns>What was found.</returns>
    public static FrameStatus TryRead(ReadOnlySpan<byte> buffer, out MbapHeader header, out int frameLength, out string? error)
    {
        header = default;
        frameLength = 0;
        error = null;

        // Fail as early as the bytes allow: a bad protocol id or length is known before the frame is.
        if (buffer.Length >= 4)
        {
            var protocolId = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
            if (protocolId != 0)
            {
                error = $"protocol id 0x{protocolId:X4}; Modbus is 0";
                return FrameStatus.Invalid;
            }
        }

        if (buffer.Length >= 6)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(buffer[4..]);
            if (length is < 2 or > MaxPduLength + 1)
            {
                error = $"MBAP length {length}; it must be 2..{MaxPduLength + 1}";
                return FrameStatus.Invalid;
            }

            frameLength = 6 + length;
        }

        if (buffer.Length < HeaderLength || buffer.Length < frameLength)
        {
            frameLength = 0;
            return FrameStatus.NeedMoreData;
        }

        header = new MbapHeader(BinaryPrimitives.ReadUInt16BigEndian(buffer), (ushort)(frameLength - 6), buffer[6]);
        return FrameStatus.Complete;
    }

    /// <summary>Writes an MBAP header in front of a PDU already written at <see cref="HeaderLength"/>.</summary>
    /// <param name="frame">The frame buffer.</param>
    /// <param name="transactionId">The transaction id.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="pduLength">The length of the PDU.</param>
    /// <returns>The whole frame's length.</returns>
    public static int WriteHeader(Span<byte> frame, ushort transactionId, byte unitId, int pduLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame[4..], (ushort)(pduLength + 1));
        frame[6] = unitId;
        return HeaderLength + pduLength;
    }
}
