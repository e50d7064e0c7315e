namespace Flux.Devices.Transport;

/// <summary>The connection to a device failed: it could not be opened, it was refused, reset or closed.</summary>
public class ModbusTransportException : FluxDevicesException
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

    /// <summary>Gets a value indicating whether trying again may succeed: always, for a transport failure (not for a <see cref="ModbusSecurityException"/>).</summary>
    public override bool IsTransient => true;
}
