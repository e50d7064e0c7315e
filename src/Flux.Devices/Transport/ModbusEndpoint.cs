namespace Flux.Devices.Transport;

/// <summary>
/// A Modbus server reached over TCP: a host (an IP address or a name), a TCP port, the framing spoken on the
/// connection (<see cref="ModbusFraming.Tcp"/> unless set) and whether the connection is secured with TLS (Modbus/TCP
/// Security, <see cref="UseTls"/>). Two endpoints are equal when all four are.
/// </summary>
public readonly record struct ModbusEndpoint
{
    private const string RtuOverTcpScheme = "rtu+tcp";
    private const string TcpScheme = "tcp";
    private const string SecureScheme = "mbaps";
    private readonly ModbusFraming _framing;

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

    /// <summary>Gets the framing spoken on the connection: MBAP (Modbus TCP) or RTU frames through a TCP gateway.</summary>
    /// <value>The default value is <see cref="ModbusFraming.Tcp"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined framing.</exception>
    public ModbusFraming Framing
    {
        get => _framing;
        init
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Framing), value, "Use Tcp or RtuOverTcp.");
            }

            _framing = value;
        }
    }

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

    /// <summary>
    /// Reads an endpoint from text: <c>host</c>, <c>host:port</c>, <c>[IPv6]:port</c>, each optionally behind a scheme,
    /// <c>tcp://</c> (Modbus TCP, the default), <c>rtu+tcp://</c> (RTU over TCP) or <c>mbaps://</c> (Modbus/TCP Security:
    /// <see cref="UseTls"/>). The port is 502 when absent, 802 for <c>mbaps://</c>.
    /// </summary>
    /// <param name="text">The text, for example <c>rtu+tcp://127.0.0.1:502</c>.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="FormatException">The text is not an endpoint; the message says which part is wrong.</exception>
    public static ModbusEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var endpoint, out var problem) ? endpoint : throw new FormatException(problem);
    }

    /// <summary>Reads an endpoint from text, as <see cref="Parse(string)"/> does, without throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="endpoint">The endpoint, when the text is one.</param>
    /// <returns><see langword="true"/> when the text is an endpoint.</returns>
    public static bool TryParse([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? text, out ModbusEndpoint endpoint) =>
        TryParse(text, out endpoint, out _);

    /// <summary>
    /// Returns <c>host:port</c>, behind <c>rtu+tcp://</c> for RTU over TCP and <c>mbaps://</c> for Modbus/TCP Security
    /// (the forms <see cref="Parse(string)"/> reads).
    /// </summary>
    /// <returns>The endpoint as text.</returns>
    public override string ToString()
    {
        var address = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
        return (Framing, UseTls) switch
        {
            (ModbusFraming.RtuOverTcp, false) => $"{RtuOverTcpScheme}://{address}",
            (ModbusFraming.Tcp, true) => $"{SecureScheme}://{address}",
            (ModbusFraming.RtuOverTcp, true) => $"{RtuOverTcpScheme}://{address} (TLS)",
            _ => address,
        };
    }

    private static bool TryParse(string? text, out ModbusEndpoint endpoint, out string problem)
    {
        endpoint = default;
        var rest = text.AsSpan().Trim();
        var framing = ModbusFraming.Tcp;
        var useTls = false;
        var schemeEnd = rest.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = rest[..schemeEnd];
            if (scheme.Equals(RtuOverTcpScheme, StringComparison.OrdinalIgnoreCase))
            {
                framing = ModbusFraming.RtuOverTcp;
            }
            else if (scheme.Equals(SecureScheme, StringComparison.OrdinalIgnoreCase))
            {
                useTls = true;
            }
            else if (!scheme.Equals(TcpScheme, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"Modbus endpoint '{text}': scheme '{scheme}' is not one of {TcpScheme}://, {RtuOverTcpScheme}:// and {SecureScheme}://.";
                return false;
            }

            rest = rest[(schemeEnd + 3)..].TrimEnd('/');
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> portText;
        bool hasPort;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            if (close < 0 || (close + 1 < rest.Length && rest[close + 1] != ':'))
            {
                problem = $"Modbus endpoint '{text}': an IPv6 address goes in brackets, as [::1]:502.";
                return false;
            }

            host = rest[1..close];
            hasPort = close + 1 < rest.Length;
            portText = hasPort ? rest[(close + 2)..] : default;
        }
        else
        {
            var colon = rest.IndexOf(':');
            if (colon >= 0 && rest[(colon + 1)..].Contains(':'))
            {
                problem = $"Modbus endpoint '{text}': an IPv6 address goes in brackets, as [::1]:502.";
                return false;
            }

            hasPort = colon >= 0;
            host = hasPort ? rest[..colon] : rest;
            portText = hasPort ? rest[(colon + 1)..] : default;
        }

        if (host.IsWhiteSpace())
        {
            problem = $"Modbus endpoint '{text}': the host is missing.";
            return false;
        }

        var port = useTls ? DefaultSecurePort : DefaultPort;
        if (hasPort && (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problem = $"Modbus endpoint '{text}': the port must be a whole number from 1 to 65535.";
            return false;
        }

        endpoint = new ModbusEndpoint(host.ToString(), port) { Framing = framing, UseTls = useTls };
        problem = string.Empty;
        return true;
    }
}
