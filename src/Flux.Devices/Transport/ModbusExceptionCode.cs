namespace Flux.Devices.Transport;

/// <summary>The exception codes of the Modbus Application Protocol v1.1b3, section 7.</summary>
public enum ModbusExceptionCode : byte
{
    /// <summary>01: the function code is not supported by the device.</summary>
    IllegalFunction = 0x01,

    /// <summary>02: the address, or the address plus quantity, is not valid in the device.</summary>
    IllegalDataAddress = 0x02,

    /// <summary>03: a value in the request is not allowed (a quantity, a coil value, ...).</summary>
    IllegalDataValue = 0x03,

    /// <summary>04: the device failed while performing the action.</summary>
    ServerDeviceFailure = 0x04,

    /// <summary>05: the device accepted a long-running request and is processing it.</summary>
    Acknowledge = 0x05,

    /// <summary>06: the device is busy with a long-running command; retry later.</summary>
    ServerDeviceBusy = 0x06,

    /// <summary>08: the device detected a parity error in its memory (file records).</summary>
    MemoryParityError = 0x08,

    /// <summary>0A: a gateway could not allocate a path to the target.</summary>
    GatewayPathUnavailable = 0x0A,

    /// <summary>0B: a gateway got no answer from the target: no device at that unit id.</summary>
    GatewayTargetDeviceFailedToRespond = 0x0B,
}
