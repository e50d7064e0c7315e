namespace Flux.Devices.Transport;

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
