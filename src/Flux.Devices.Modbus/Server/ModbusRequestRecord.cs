using System.Net;

namespace Flux.Devices.Modbus.Server;

/// <summary>A request a server received, as recorded when <see cref="ModbusTcpServerOptions.RecordRequests"/> is on.</summary>
public readonly record struct ModbusRequestRecord
{
    /// <summary>Gets the unit id.</summary>
    public required byte UnitId { get; init; }

    /// <summary>Gets the function code.</summary>
    public required byte FunctionCode { get; init; }

    /// <summary>Gets the first address (for function 43, 0).</summary>
    public required ushort Address { get; init; }

    /// <summary>Gets the quantity (1 for single writes; for function 43, 0).</summary>
    public required ushort Quantity { get; init; }

    /// <summary>
    /// Gets the client's role from the Modbus role extension of its certificate (Modbus/TCP Security, see
    /// <see cref="ModbusCertificateRole"/>); <see langword="null"/> on a plain connection or when the certificate has no role.
    /// </summary>
    public string? Role { get; init; }

    /// <summary>
    /// Gets the number of the connection the request came on: the server numbers the connections it accepts from 1, so
    /// requests with the same number came on one connection.
    /// </summary>
    public long ConnectionId { get; init; }

    /// <summary>Gets the client's address and port (the same instance for every request of a connection); <see langword="null"/> when unknown.</summary>
    public IPEndPoint? RemoteEndPoint { get; init; }
}
