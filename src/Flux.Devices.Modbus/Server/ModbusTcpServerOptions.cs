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

    /// <summary>
    /// Gets or sets the server's Modbus/TCP Security settings: when set, every connection must complete a TLS 1.2 or
    /// later handshake with a client certificate the server trusts before any request is served.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (plain Modbus TCP).</value>
    public ModbusTlsServerOptions? Tls { get; set; }

    /// <summary>
    /// Gets or sets the server's authorisation rule, asked for every request before it is served (with TLS the
    /// request carries the client's <see cref="ModbusRequestRecord.Role"/>); a refused request is answered with
    /// exception 01 (illegal function), as Modbus/TCP Security prescribes.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: every request of an authenticated client is served.</value>
    public Func<ModbusRequestRecord, bool>? Authorize { get; set; }
}
