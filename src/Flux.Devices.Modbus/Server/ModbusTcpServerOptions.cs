using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Server;

/// <summary>Options of a <see cref="ModbusTcpServer"/>.</summary>
public sealed class ModbusTcpServerOptions
{
    /// <summary>Gets or sets what the server does with a request for a unit id it does not serve.</summary>
    /// <value>The default value is <see cref="UnknownUnitBehavior.GatewayTargetFailed"/>.</value>
    public UnknownUnitBehavior UnknownUnit { get; set; } = UnknownUnitBehavior.GatewayTargetFailed;

    /// <summary>
    /// Gets or sets the unit that answers every unit id, as a direct TCP device that ignores the unit id does;
    /// <see langword="null"/> to route by unit id.
    /// </summary>
    public ModbusUnit? AnswerEveryUnitId { get; set; }

    /// <summary>Gets or sets a value indicating whether the server records every request it receives (<see cref="ModbusTcpServer.RecordedRequests"/>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RecordRequests { get; set; }

    /// <summary>Gets or sets how many connections the server accepts at once; more are closed as they arrive.</summary>
    /// <value>The default value is 64.</value>
    public int MaxConnections { get; set; } = 64;

    /// <summary>
    /// Gets or sets the framing the server speaks: Modbus TCP (MBAP), or RTU frames with CRC, as a device behind a
    /// transparent serial gateway does. In RTU framing a request with a bad CRC, or bytes that cannot be framed, are
    /// ignored as a serial device ignores them (no reply; input received so far is dropped), and
    /// <see cref="ModbusFaults.WrongTransactionId"/> corrupts the reply's CRC instead, RTU having no transaction id.
    /// </summary>
    /// <value>The default value is <see cref="ModbusFraming.Tcp"/>.</value>
    public ModbusFraming Framing { get; set; } = ModbusFraming.Tcp;
}
