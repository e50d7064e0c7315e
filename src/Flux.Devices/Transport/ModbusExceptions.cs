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

/// <summary>The connection to a device failed: it could not be opened, it was refused, reset or closed.</summary>
public sealed class ModbusTransportException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="ModbusTransportException"/> class.</summary>
    /// <param name="endpoint">The device's endpoint.</param>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The socket or IO error, if any.</param>
    public ModbusTransportException(ModbusEndpoint endpoint, string message, Exception? innerException = null)
        : base($"Modbus device {endpoint}: {message}", innerException)
    {
        Endpoint = endpoint;
    }

    /// <summary>Gets the device's endpoint.</summary>
    public ModbusEndpoint Endpoint { get; }

    /// <summary>Gets a value indicating whether trying again may succeed: always, for a transport failure.</summary>
    public override bool IsTransient => true;
}

/// <summary>The device did not answer within the request's deadline (connect, send and receive together).</summary>
public sealed class ModbusTimeoutException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="ModbusTimeoutException"/> class.</summary>
    /// <param name="endpoint">The device's endpoint.</param>
    /// <param name="timeout">The deadline that passed.</param>
    /// <param name="stage">What was going on: connecting, sending or waiting for the reply.</param>
    public ModbusTimeoutException(ModbusEndpoint endpoint, TimeSpan timeout, string stage)
        : base($"Modbus device {endpoint} did not complete the request within {timeout.TotalMilliseconds:0} ms (while {stage}).")
    {
        Endpoint = endpoint;
        Timeout = timeout;
        Stage = stage;
    }

    /// <summary>Gets the device's endpoint.</summary>
    public ModbusEndpoint Endpoint { get; }

    /// <summary>Gets the deadline that passed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets what was going on when the deadline passed: connecting, sending or waiting for the reply.</summary>
    public string Stage { get; }

    /// <summary>Gets a value indicating whether trying again may succeed: always, for a timeout.</summary>
    public override bool IsTransient => true;
}

/// <summary>
/// The device's reply broke the protocol (wrong transaction or protocol id, a length out of range, the wrong
/// function code, a byte count that does not match the request, a write echo that does not match). The
/// connection was closed, because the stream can no longer be trusted; the next request opens a new one.
/// </summary>
public sealed class ModbusProtocolException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="ModbusProtocolException"/> class.</summary>
    /// <param name="endpoint">The device's endpoint.</param>
    /// <param name="message">What was wrong with the reply.</param>
    public ModbusProtocolException(ModbusEndpoint endpoint, string message)
        : base($"Modbus device {endpoint} sent an invalid reply: {message}")
    {
        Endpoint = endpoint;
    }

    /// <summary>Gets the device's endpoint.</summary>
    public ModbusEndpoint Endpoint { get; }

    /// <summary>Gets a value indicating whether trying again may succeed: yes, on a new connection.</summary>
    public override bool IsTransient => true;
}

/// <summary>
/// A write may or may not have been applied: the request was sent, and then the reply did not come in time, the
/// connection failed, or the reply did not echo the write. It is never replayed automatically; read the value
/// back to decide. <see cref="Exception.InnerException"/> holds the cause.
/// </summary>
public sealed class ModbusWriteOutcomeUnknownException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="ModbusWriteOutcomeUnknownException"/> class.</summary>
    /// <param name="endpoint">The device's endpoint.</param>
    /// <param name="unitId">The unit id written to.</param>
    /// <param name="functionCode">The write's function code.</param>
    /// <param name="address">The first address written.</param>
    /// <param name="innerException">Why the outcome is unknown.</param>
    public ModbusWriteOutcomeUnknownException(ModbusEndpoint endpoint, byte unitId, byte functionCode, ushort address, Exception innerException)
        : base($"Modbus device {endpoint} unit {unitId}: write (function {functionCode}) at address {address} was sent, but whether it was applied is unknown: {innerException?.Message}", innerException)
    {
        Endpoint = endpoint;
        UnitId = unitId;
        FunctionCode = functionCode;
        Address = address;
    }

    /// <summary>Gets the device's endpoint.</summary>
    public ModbusEndpoint Endpoint { get; }

    /// <summary>Gets the unit id written to.</summary>
    public byte UnitId { get; }

    /// <summary>Gets the write's function code.</summary>
    public byte FunctionCode { get; }

    /// <summary>Gets the first address written.</summary>
    public ushort Address { get; }
}
