namespace Flux.Devices.Modbus.Protocol;

/// <summary>Function codes and the quantity limits of the Modbus Application Protocol v1.1b3.</summary>
internal static class ModbusFunction
{
    public const byte ReadCoils = 0x01;
    public const byte ReadDiscreteInputs = 0x02;
    public const byte ReadHoldingRegisters = 0x03;
    public const byte ReadInputRegisters = 0x04;
    public const byte WriteSingleCoil = 0x05;
    public const byte WriteSingleRegister = 0x06;
    public const byte WriteMultipleCoils = 0x0F;
    public const byte WriteMultipleRegisters = 0x10;
    public const byte ReadWriteMultipleRegisters = 0x17;
    public const byte EncapsulatedInterface = 0x2B;
    public const byte ReadDeviceIdentificationMei = 0x0E;
    public const byte ExceptionFlag = 0x80;

    public const int MaxReadBits = 2000;
    public const int MaxReadRegisters = 125;
    public const int MaxWriteCoils = 1968;
    public const int MaxWriteRegisters = 123;
    public const int MaxReadWriteReadRegisters = 125;
    public const int MaxReadWriteWriteRegisters = 121;

    public const ushort CoilOn = 0xFF00;
    public const ushort CoilOff = 0x0000;

    /// <summary>Tells whether a function writes (and so must not be replayed blindly).</summary>
    public static bool IsWrite(byte functionCode) =>
        functionCode is WriteSingleCoil or WriteSingleRegister or WriteMultipleCoils or WriteMultipleRegisters or ReadWriteMultipleRegisters;
}
