using System.Buffers.Binary;
using System.Text;

namespace Flux.Devices.Modbus.Protocol;

/// <summary>What a reply PDU turned out to be.</summary>
internal enum ReplyKind
{
    /// <summary>A valid normal reply to the request.</summary>
    Normal,

    /// <summary>A valid exception reply (function code | 0x80, one code byte).</summary>
    Exception,

    /// <summary>Not a valid reply to the request.</summary>
    Invalid,
}

/// <summary>Checks a reply PDU against the request it answers, before anything is decoded from it.</summary>
internal static class ModbusReply
{
    /// <summary>
    /// Checks function code, length, byte count and echoes. Nothing is read beyond the bounds the checks
    /// established, so a decoder can trust the PDU afterwards.
    /// </summary>
    public static ReplyKind Check(in ModbusRequest request, ReadOnlySpan<byte> pdu, out byte exceptionCode, out string? error)
    {
        exceptionCode = 0;
        error = null;
        if (pdu.Length == 0)
        {
            error = "an empty PDU";
            return ReplyKind.Invalid;
        }

        var fc = pdu[0];
        if (fc == (request.FunctionCode | ModbusFunction.ExceptionFlag))
        {
            if (pdu.Length != 2)
            {
                error = $"an exception reply of {pdu.Length} bytes; it must be 2 (function and code)";
                return ReplyKind.Invalid;
            }

            exceptionCode = pdu[1];
            return ReplyKind.Exception;
        }

        if (fc != request.FunctionCode)
        {
            error = $"function 0x{fc:X2} in reply to function 0x{request.FunctionCode:X2}";
            return ReplyKind.Invalid;
        }

        switch (fc)
        {
            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
                return CheckByteCount(pdu, (request.Quantity + 7) / 8, request.Quantity, "bits", out error);
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters or ModbusFunction.ReadWriteMultipleRegisters:
                return CheckByteCount(pdu, 2 * request.Quantity, request.Quantity, "registers", out error);
            case ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister:
                return CheckEcho(pdu, request.Address, request.SingleValue, "value", out error);
            case ModbusFunction.WriteMultipleCoils or ModbusFunction.WriteMultipleRegisters:
                return CheckEcho(pdu, request.Address, request.Quantity, "quantity", out error);
            case ModbusFunction.EncapsulatedInterface:
                return CheckDeviceIdentification(request, pdu, out error);
            default:
                error = $"function 0x{fc:X2}, which this client never sends";
                return ReplyKind.Invalid;
        }
    }

    /// <summary>Reads the objects of a checked function 43/14 reply.</summary>
    /// <returns>Whether more objects follow, and from which object id.</returns>
    public static (bool MoreFollows, byte NextObjectId, byte ConformityLevel) ReadDeviceIdentification(ReadOnlySpan<byte> pdu, IDictionary<byte, string> objects)
    {
        var count = pdu[6];
        var at = 7;
        for (var i = 0; i < count; i++)
        {
            var id = pdu[at];
            var length = pdu[at + 1];
            objects[id] = Encoding.Latin1.GetString(pdu.Slice(at + 2, length));
            at += 2 + length;
        }

        return (pdu[4] == 0xFF, pdu[5], pdu[3]);
    }

    private static ReplyKind CheckByteCount(ReadOnlySpan<byte> pdu, int expected, int quantity, string unit, out string? error)
    {
        if (pdu.Length < 2)
        {
            error = "a reply without a byte count";
            return ReplyKind.Invalid;
        }

        if (pdu[1] != expected || pdu.Length != 2 + expected)
        {
            error = $"byte count {pdu[1]} with {pdu.Length - 2} data bytes; {quantity} {unit} need {expected}";
            return ReplyKind.Invalid;
        }

        error = null;
        return ReplyKind.Normal;
    }

    private static ReplyKind CheckEcho(ReadOnlySpan<byte> pdu, ushort address, ushort value, string valueName, out string? error)
    {
        if (pdu.Length != 5)
        {
            error = $"a write reply of {pdu.Length} bytes; it must be 5";
            return ReplyKind.Invalid;
        }

        var echoedAddress = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var echoedValue = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (echoedAddress != address || echoedValue != value)
        {
            error = $"the echo address {echoedAddress}, {valueName} 0x{echoedValue:X4} does not match the write (address {address}, {valueName} 0x{value:X4})";
            return ReplyKind.Invalid;
        }

        error = null;
        return ReplyKind.Normal;
    }

    private static ReplyKind CheckDeviceIdentification(in ModbusRequest request, ReadOnlySpan<byte> pdu, out string? error)
    {
        // 2B 0E code conformity more-follows next-object count { id length value }*
        if (pdu.Length < 7)
        {
            error = $"a device identification reply of {pdu.Length} bytes; the fixed part alone is 7";
            return ReplyKind.Invalid;
        }

        if (pdu[1] != ModbusFunction.ReadDeviceIdentificationMei || pdu[2] != request.DeviceIdCode)
        {
            error = $"MEI type 0x{pdu[1]:X2} / read device id code {pdu[2]} in reply to 0x0E / {request.DeviceIdCode}";
            return ReplyKind.Invalid;
        }

        if (pdu[4] is not (0x00 or 0xFF))
        {
            error = $"'more follows' 0x{pdu[4]:X2}; it must be 0x00 or 0xFF";
            return ReplyKind.Invalid;
        }

        var at = 7;
        for (var i = 0; i < pdu[6]; i++)
        {
            if (at + 2 > pdu.Length || at + 2 + pdu[at + 1] > pdu.Length)
            {
                error = $"object {i + 1} of {pdu[6]} runs past the end of the reply";
                return ReplyKind.Invalid;
            }

            at += 2 + pdu[at + 1];
        }

        if (at != pdu.Length)
        {
            error = $"{pdu.Length - at} bytes after the last object";
            return ReplyKind.Invalid;
        }

        error = null;
        return ReplyKind.Normal;
    }
}
