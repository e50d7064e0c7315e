namespace Flux.Devices.Transport;

/// <summary>How Modbus frames travel on an endpoint's TCP connection.</summary>
public enum ModbusFraming
{
    /// <summary>Modbus TCP: each PDU behind an MBAP header with a transaction id (the default; text form <c>tcp://</c> or none).</summary>
    Tcp = 0,

    /// <summary>
    /// RTU over TCP: serial RTU frames (unit id, PDU, CRC-16) through a transparent TCP gateway; no transaction id, so
    /// one request at a time per connection (text form <c>rtu+tcp://</c>, metadata <c>modbus_framing: rtu</c>).
    /// </summary>
    RtuOverTcp = 1,
}
