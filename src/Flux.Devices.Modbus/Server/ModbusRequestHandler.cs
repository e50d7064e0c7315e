using System.Buffers.Binary;
using System.Text;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Server;

/// <summary>
/// Serves one request PDU from a unit's data, as the Modbus Application Protocol v1.1b3 (section 6) says, including
/// its exception replies: 01 for an unsupported function, 03 for a bad quantity or byte count, 02 for an address
/// the unit does not map.
/// </summary>
internal static class ModbusRequestHandler
{
    /// <summary>The longest identification object that fits a reply: 253 - 7 (header fields) - 2 (id, length).</summary>
    private const int MaxObjectLength = ModbusFrame.MaxPduLength - 9;

    /// <summary>Writes the reply PDU for a request PDU.</summary>
    /// <returns>The reply PDU's length.</returns>
    public static int Handle(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply)
    {
        try
        {
            return Serve(unit, request, reply);
        }
#pragma warning disable CA1031 // A simulated device that throws is a device that failed: the spec's answer is 04.
        catch (Exception)
#pragma warning restore CA1031
        {
            return ExceptionReply(request[0], ModbusExceptionCode.ServerDeviceFailure, reply);
        }
    }

    private static int Serve(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply)
    {
        var fc = request[0];
        int length;
        var error = fc switch
        {
            ModbusFunction.ReadCoils => ReadBits(unit, ModbusTable.Coils, request, reply, out length),
            ModbusFunction.ReadDiscreteInputs => ReadBits(unit, ModbusTable.DiscreteInputs, request, reply, out length),
            ModbusFunction.ReadHoldingRegisters => ReadRegisters(unit, ModbusTable.HoldingRegisters, request, reply, out length),
            ModbusFunction.ReadInputRegisters => ReadRegisters(unit, ModbusTable.InputRegisters, request, reply, out length),
            ModbusFunction.WriteSingleCoil => WriteSingleCoil(unit, request, reply, out length),
            ModbusFunction.WriteSingleRegister => WriteSingleRegister(unit, request, reply, out length),
            ModbusFunction.WriteMultipleCoils => WriteMultipleCoils(unit, request, reply, out length),
            ModbusFunction.WriteMultipleRegisters => WriteMultipleRegisters(unit, request, reply, out length),
            ModbusFunction.ReadWriteMultipleRegisters => ReadWriteMultipleRegisters(unit, request, reply, out length),
            ModbusFunction.EncapsulatedInterface => ReadDeviceIdentification(unit, request, reply, out length),
            _ => Refuse(ModbusExceptionCode.IllegalFunction, out length),
        };

        return error is { } code ? ExceptionReply(fc, code, reply) : length;
    }

    public static int ExceptionReply(byte functionCode, ModbusExceptionCode code, Span<byte> reply)
    {
        reply[0] = (byte)(functionCode | ModbusFunction.ExceptionFlag);
        reply[1] = (byte)code;
        return 2;
    }

    private static ModbusExceptionCode? ReadBits(ModbusUnit unit, ModbusTable table, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length != 5 || !ReadAddressQuantity(request, ModbusFunction.MaxReadBits, out var address, out var quantity))
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        Span<bool> bits = stackalloc bool[quantity];
        if ((OutOfRange(address, quantity) ?? unit.ReadBits(table, address, bits)) is { } error)
        {
            return error;
        }

        var byteCount = (quantity + 7) / 8;
        reply[0] = request[0];
        reply[1] = (byte)byteCount;
        ModbusRequest.PackBits(bits, reply.Slice(2, byteCount));
        length = 2 + byteCount;
        return null;
    }

    private static ModbusExceptionCode? ReadRegisters(ModbusUnit unit, ModbusTable table, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length != 5 || !ReadAddressQuantity(request, ModbusFunction.MaxReadRegisters, out var address, out var quantity))
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        Span<ushort> registers = stackalloc ushort[quantity];
        if ((OutOfRange(address, quantity) ?? unit.ReadRegisters(table, address, registers)) is { } error)
        {
            return error;
        }

        reply[0] = request[0];
        reply[1] = (byte)(2 * quantity);
        ModbusRequest.WriteRegisters(registers, reply[2..]);
        length = 2 + (2 * quantity);
        return null;
    }

    private static ModbusExceptionCode? WriteSingleCoil(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length != 5)
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        if (value is not (ModbusFunction.CoilOn or ModbusFunction.CoilOff))
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        if (unit.WriteCoils(BinaryPrimitives.ReadUInt16BigEndian(request[1..]), [value == ModbusFunction.CoilOn]) is { } error)
        {
            return error;
        }

        request.CopyTo(reply);
        length = 5;
        return null;
    }

    private static ModbusExceptionCode? WriteSingleRegister(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length != 5)
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        if (unit.WriteRegisters(BinaryPrimitives.ReadUInt16BigEndian(request[1..]), [BinaryPrimitives.ReadUInt16BigEndian(request[3..])]) is { } error)
        {
            return error;
        }

        request.CopyTo(reply);
        length = 5;
        return null;
    }

    private static ModbusExceptionCode? WriteMultipleCoils(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length < 6
            || !ReadAddressQuantity(request, ModbusFunction.MaxWriteCoils, out var address, out var quantity)
            || request[5] != (quantity + 7) / 8
            || request.Length != 6 + request[5])
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        Span<bool> bits = stackalloc bool[quantity];
        ModbusRequest.UnpackBits(request[6..], bits);
        if ((OutOfRange(address, quantity) ?? unit.WriteCoils(address, bits)) is { } error)
        {
            return error;
        }

        request[..5].CopyTo(reply);
        length = 5;
        return null;
    }

    private static ModbusExceptionCode? WriteMultipleRegisters(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length < 6
            || !ReadAddressQuantity(request, ModbusFunction.MaxWriteRegisters, out var address, out var quantity)
            || request[5] != 2 * quantity
            || request.Length != 6 + request[5])
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        Span<ushort> registers = stackalloc ushort[quantity];
        ModbusRequest.ReadRegisters(request[6..], registers);
        if ((OutOfRange(address, quantity) ?? unit.WriteRegisters(address, registers)) is { } error)
        {
            return error;
        }

        request[..5].CopyTo(reply);
        length = 5;
        return null;
    }

    private static ModbusExceptionCode? ReadWriteMultipleRegisters(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length < 10
            || !ReadAddressQuantity(request, ModbusFunction.MaxReadWriteReadRegisters, out var readAddress, out var readQuantity)
            || !ReadAddressQuantity(request[4..], ModbusFunction.MaxReadWriteWriteRegisters, out var writeAddress, out var writeQuantity)
            || request[9] != 2 * writeQuantity
            || request.Length != 10 + request[9])
        {
            return ModbusExceptionCode.IllegalDataValue;
        }

        Span<ushort> written = stackalloc ushort[writeQuantity];
        ModbusRequest.ReadRegisters(request[10..], written);
        Span<ushort> read = stackalloc ushort[readQuantity];

        // The write is performed before the read (section 6.17), and neither if either range is invalid.
        if ((OutOfRange(writeAddress, writeQuantity) ?? OutOfRange(readAddress, readQuantity) ?? unit.WriteThenReadRegisters(writeAddress, written, readAddress, read)) is { } error)
        {
            return error;
        }

        reply[0] = request[0];
        reply[1] = (byte)(2 * readQuantity);
        ModbusRequest.WriteRegisters(read, reply[2..]);
        length = 2 + (2 * readQuantity);
        return null;
    }

    private static ModbusExceptionCode? ReadDeviceIdentification(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> reply, out int length)
    {
        length = 0;
        if (request.Length != 4 || request[1] != ModbusFunction.ReadDeviceIdentificationMei || request[2] is < 1 or > 4)
        {
            return request.Length >= 2 && request[1] != ModbusFunction.ReadDeviceIdentificationMei
                ? ModbusExceptionCode.IllegalFunction
                : ModbusExceptionCode.IllegalDataValue;
        }

        var code = request[2];
        var objectId = request[3];
        KeyValuePair<byte, string>[] objects;
        lock (unit.SyncRoot)
        {
            objects = [.. unit.Identification];
        }

        if (objects.Length == 0)
        {
            return ModbusExceptionCode.IllegalFunction;
        }

        var last = code switch { 1 => 0x02, 2 => 0x06, _ => 0xFF };
        reply[0] = ModbusFunction.EncapsulatedInterface;
        reply[1] = ModbusFunction.ReadDeviceIdentificationMei;
        reply[2] = code;
        reply[3] = objects.Any(o => o.Key >= 0x80) ? (byte)0x83 : objects.Any(o => o.Key > 0x02) ? (byte)0x82 : (byte)0x81;
        var at = 7;
        byte count = 0;
        var more = false;
        byte next = 0;
        if (code == 4)
        {
            // Individual access: exactly the one object asked for.
            if (!objects.Any(o => o.Key == objectId))
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            at = WriteObject(reply, at, objectId, objects.First(o => o.Key == objectId).Value);
            count = 1;
        }
        else
        {
            // Stream access from the object asked for (or from 0 when it does not exist in the category), as many as fit.
            if (objectId > last || !objects.Any(o => o.Key == objectId))
            {
                objectId = 0;
            }

            foreach (var (id, value) in objects)
            {
                if (id < objectId || id > last)
                {
                    continue;
                }

                var size = 2 + Math.Min(Encoding.Latin1.GetByteCount(value), MaxObjectLength);
                if (at + size > ModbusFrame.MaxPduLength)
                {
                    more = true;
                    next = id;
                    break;
                }

                at = WriteObject(reply, at, id, value);
                count++;
            }
        }

        reply[4] = more ? (byte)0xFF : (byte)0x00;
        reply[5] = next;
        reply[6] = count;
        length = at;
        return null;
    }

    private static int WriteObject(Span<byte> reply, int at, byte id, string value)
    {
        var bytes = Encoding.Latin1.GetBytes(value);
        var length = Math.Min(bytes.Length, MaxObjectLength);
        reply[at] = id;
        reply[at + 1] = (byte)length;
        bytes.AsSpan(0, length).CopyTo(reply[(at + 2)..]);
        return at + 2 + length;
    }

    private static bool ReadAddressQuantity(ReadOnlySpan<byte> request, int max, out ushort address, out int quantity)
    {
        address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        quantity = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        return quantity >= 1 && quantity <= max;
    }

    private static ModbusExceptionCode? OutOfRange(ushort address, int quantity) =>
        address + quantity > 65536 ? ModbusExceptionCode.IllegalDataAddress : null;

    private static ModbusExceptionCode? Refuse(ModbusExceptionCode code, out int length)
    {
        length = 0;
        return code;
    }
}
