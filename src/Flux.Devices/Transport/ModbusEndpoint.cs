namespace Flux.Devices.Transport;

/// <summary>
/// A Modbus TCP server: a host (an IP address or a name), a TCP port and whether the connection is secured with TLS
/// (Modbus/TCP Security, <see cref="UseTls"/>).
/// </summary>
public readonly record struct ModbusEndpoint
{
    /// <summary>The registered Modbus TCP port.</summary>
    public const int DefaultPort = 502;

    /// <summary>The registered Modbus/TCP Security (Modbus over TLS) port.</summary>
    public const int DefaultSecurePort = 802;

    /// <summary>Initializes a new instance of the <see cref="ModbusEndpoint"/> struct.</summary>
    /// <param name="host">An IP address (<c>127.0.0.10</c>) or a host name.</param>
    /// <param name="port">The TCP port, 1 to 65535.</param>
    /// <exception cref="ArgumentException">The host is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port is outside 1..65535.</exception>
    public ModbusEndpoint(string host, int port = DefaultPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Host = host;
        Port = port;
    }

    /// <summary>Gets the host.</summary>
    public string Host { get; }

    /// <summary>Gets the TCP port.</summary>
    public int Port { get; }

    /// <summary>
    /// Gets a value indicating whether the endpoint speaks Modbus/TCP Security: MBAP frames inside TLS 1.2 or later,
    /// with mutual X.509 authentication (the client's certificate and trust anchors are the client's TLS options).
    /// </summary>
    /// <value>The default value is <see langword="false"/> (plain Modbus TCP). Two endpoints that differ only here are different endpoints.</value>
    public bool UseTls { get; init; }

    /// <summary>Makes an endpoint from an IP endpoint.</summary>
    /// <param name="endPoint">The IP endpoint.</param>
    /// <returns>The endpoint.</returns>
    public static ModbusEndpoint From(System.Net.IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return new ModbusEndpoint(endPoint.Address.ToString(), endPoint.Port);
    }

    /// <summary>Returns <c>host:port</c>.</summary>
    /// <returns>The endpoint as text.</returns>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
