using System.Buffers.Binary;

namespace Flux.Devices.Modbus.Protocol;

/// <summary>One request, as the client builds it: what to send, and what the reply must match.</summary>
internal readonly struct ModbusRequest
{
    private ModbusRequest(byte functionCode, byte unitId, ushort address, ushort quantity)
    {
        FunctionCode = functionCode;
        UnitId = unitId;
        Address = address;
        Quantity = quantity;
    }

    public byte FunctionCode { get; }

    public byte UnitId { get; }

    /// <summary>Gets the (first) address; for function 23, the read address.</summary>
    public ushort Address { get; }

    /// <summary>Gets the quantity; for function 23, the read quantity.</summary>
    public ushort Quantity { get; }

    /// <summary>Gets the single value of functions 5 and 6 (0xFF00/0x0000 for a coil).</summary>
    public ushort SingleValue { get; private init; }

    public ReadOnlyMemory<ushort> Registers { get; private init; }

    public ReadOnlyMemory<bool> Coils { get; private init; }

    public ushort WriteAddress { get; private init; }

    public byte DeviceIdCode { get; private init; }

    public byte ObjectId { get; private init; }

    public bool IsWrite => ModbusFunction.IsWrite(FunctionCode);

    public static ModbusRequest Read(byte functionCode, byte unitId, ushort address, int quantity)
    {
        var max = functionCode is ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs
            ? ModbusFunction.MaxReadBits
            : ModbusFunction.MaxReadRegisters;
        CheckQuantity(quantity, max, "destination");
        CheckRange(address, quantity);
        return new ModbusRequest(functionCode, unitId, address, (ushort)quantity);
    }

    public static ModbusRequest WriteSingleCoil(byte unitId, ushort address, bool value) =>
        new(ModbusFunction.WriteSingleCoil, unitId, address, 1) { SingleValue = value ? ModbusFunction.CoilOn : ModbusFunction.CoilOff };

    public static ModbusRequest WriteSingleRegister(byte unitId, ushort address, ushort value) =>
        new(ModbusFunction.WriteSingleRegister, unitId, address, 1) { SingleValue = value };

    public static ModbusRequest WriteMultipleCoils(byte unitId, ushort address, ReadOnlyMemory<bool> values)
    {
        CheckQuantity(values.Length, ModbusFunction.MaxWriteCoils, "values");
        CheckRange(address, values.Length);
        return new ModbusRequest(ModbusFunction.WriteMultipleCoils, unitId, address, (ushort)values.Length) { Coils = values };
    }

    public static ModbusRequest WriteMultipleRegisters(byte unitId, ushort address, ReadOnlyMemory<ushort> values)
    {
        CheckQuantity(values.Length, ModbusFunction.MaxWriteRegisters, "values");
        CheckRange(address, values.Length);
        return new ModbusRequest(ModbusFunction.WriteMultipleRegisters, unitId, address, (ushort)values.Length) { Registers = values };
    }

    public static ModbusRequest ReadWriteMultipleRegisters(byte unitId, ushort readAddress, int readQuantity, ushort writeAddress, ReadOnlyMemory<ushort> values)
    {
        CheckQuantity(readQuantity, ModbusFunction.MaxReadWriteReadRegisters, "readDestination");
        CheckQuantity(values.Length, ModbusFunction.MaxReadWriteWriteRegisters, "values");
        CheckRange(readAddress, readQuantity);
        CheckRange(writeAddress, values.Length);
        return new ModbusRequest(ModbusFunction.ReadWriteMultipleRegisters, unitId, readAddress, (ushort)readQuantity)
        {
            Registers = values,
            WriteAddress = writeAddress,
        };
    }

    public static ModbusRequest ReadDeviceIdentification(byte unitId, byte deviceIdCode, byte objectId) =>
        new(ModbusFunction.EncapsulatedInterface, unitId, 0, 0) { DeviceIdCode = deviceIdCode, ObjectId = objectId };

    /// <summary>Writes the request's PDU.</summary>
    /// <param name="pdu">At least <see cref="ModbusFrame.MaxPduLength"/> bytes.</param>
    /// <returns>The PDU's length.</returns>
    public int WritePdu(Span<byte> pdu)
    {
        pdu[0] = FunctionCode;
        switch (FunctionCode)
        {
            case ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister:
                BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], Address);
                BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], SingleValue);
                return 5;
            case ModbusFunction.WriteMultipleCoils:
            {
                BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], Address);
                BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], Quantity);
                var byteCount = (Quantity + 7) / 8;
                pdu[5] = (byte)byteCount;
                PackBits(Coils.Span, pdu.Slice(6, byteCount));
                return 6 + byteCount;
            }

            case ModbusFunction.WriteMultipleRegisters:
            {
                BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], Address);
                BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], Quantity);
                pdu[5] = (byte)(2 * Quantity);
                WriteRegisters(Registers.Span, pdu[6..]);
                return 6 + (2 * Quantity);
            }

            case ModbusFunction.ReadWriteMultipleRegisters:
            {
                BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], Address);
                BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], Quantity);
                BinaryPrimitives.WriteUInt16BigEndian(pdu[5..], WriteAddress);
                BinaryPrimitives.WriteUInt16BigEndian(pdu[7..], (ushort)Registers.Length);
                pdu[9] = (byte)(2 * Registers.Length);
                WriteRegisters(Registers.Span, pdu[10..]);
                return 10 + (2 * Registers.Length);
            }

            case ModbusFunction.EncapsulatedInterface:
                pdu[1] = ModbusFunction.ReadDeviceIdentificationMei;
                pdu[2] = DeviceIdCode;
                pdu[3] = ObjectId;
                return 4;
            default:
                BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], Address);
                BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], Quantity);
                return 5;
        }
    }

    public static void PackBits(ReadOnlySpan<bool> bits, Span<byte> bytes)
    {
        bytes.Clear();
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                bytes[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }

    public static void UnpackBits(ReadOnlySpan<byte> bytes, Span<bool> bits)
    {
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = (bytes[i >> 3] & (1 << (i & 7))) != 0;
        }
    }

    public static void WriteRegisters(ReadOnlySpan<ushort> registers, Span<byte> bytes)
    {
        for (var i = 0; i < registers.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes[(2 * i)..], registers[i]);
        }
    }

    public static void ReadRegisters(ReadOnlySpan<byte> bytes, Span<ushort> registers)
    {
        for (var i = 0; i < registers.Length; i++)
        {
            registers[i] = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
        }
    }

    private static void CheckQuantity(int quantity, int max, string parameter)
    {
        if (quantity < 1 || quantity > max)
        {
            throw new ArgumentOutOfRangeException(parameter, quantity, $"The quantity must be 1..{max} for this function; it was {quantity}.");
        }
    }

    private static void CheckRange(ushort address, int quantity)
    {
        if (address + quantity > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, $"Address {address} plus quantity {quantity} runs past 65535.");
        }
    }
}
