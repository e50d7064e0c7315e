namespace Flux.Devices.Transport;

/// <summary>
/// The device answered with a Modbus exception reply (function code | 0x80): it received the request and refused
/// it. This is the device speaking, not a transport failure.
/// </summary>
public sealed class ModbusException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="ModbusException"/> class.</summary>
    /// <param name="endpoint">The device's endpoint.</param>
    /// <param name="unitId">The unit id the request was for.</param>
    /// <param name="functionCode">The function code of the request.</param>
    /// <param name="code">The exception code; codes outside the spec's list are kept as they came.</param>
    public ModbusException(ModbusEndpoint endpoint, byte unitId, byte functionCode, ModbusExceptionCode code)
        : base($"Modbus device {endpoint} unit {unitId} refused function {functionCode}: exception {(byte)code:X2} ({Describe(code)}).")
    {
        Endpoint = endpoint;
        UnitId = unitId;
        FunctionCode = functionCode;
        Code = code;
    }

    /// <summary>Gets the device's endpoint.</summary>
    public ModbusEndpoint Endpoint { get; }

    /// <summary>Gets the unit id the request was for.</summary>
    public byte UnitId { get; }

    /// <summary>Gets the function code of the request.</summary>
    public byte FunctionCode { get; }

    /// <summary>Gets the exception code.</summary>
    public ModbusExceptionCode Code { get; }

    /// <summary>
    /// Gets a value indicating whether the same request may succeed later: Acknowledge (05), Busy (06) and the
    /// gateway codes (0A, 0B). Illegal function, address and value (01, 02, 03) never will.
    /// </summary>
    public override bool IsTransient => Code is ModbusExceptionCode.Acknowledge or ModbusExceptionCode.ServerDeviceBusy
        or ModbusExceptionCode.GatewayPathUnavailable or ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;

    /// <summary>Names an exception code as the spec does.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The name, or "unknown code" for a code outside the spec.</returns>
    public static string Describe(ModbusExceptionCode code) => code switch
    {
        ModbusExceptionCode.IllegalFunction => "illegal function",
        ModbusExceptionCode.IllegalDataAddress => "illegal data address",
        ModbusExceptionCode.IllegalDataValue => "illegal data value",
        ModbusExceptionCode.ServerDeviceFailure => "server device failure",
        ModbusExceptionCode.Acknowledge => "acknowledge",
        ModbusExceptionCode.ServerDeviceBusy => "server device busy",
        ModbusExceptionCode.MemoryParityError => "memory parity error",
        ModbusExceptionCode.GatewayPathUnavailable => "gateway path unavailable",
        ModbusExceptionCode.GatewayTargetDeviceFailedToRespond => "gateway target device failed to respond",
        _ => "unknown code",
    };
}
