namespace Flux.Devices.Transport;

/// <summary>
/// The device's reply broke the protocol (wrong transaction or protocol id, a length out of range, the wrong
/// function code, a byte count that does not match the request, a write echo that does not match; over RTU, a bad
/// CRC or bytes that cannot be framed). Over Modbus TCP the connection was closed, because the stream can no longer
/// be trusted, and the next request opens a new one; over RTU the stream is re-synchronised before the next request.
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
