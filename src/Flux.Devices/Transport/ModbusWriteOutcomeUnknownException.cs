namespace Flux.Devices.Transport;

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
