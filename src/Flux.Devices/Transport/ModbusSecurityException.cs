namespace Flux.Devices.Transport;

/// <summary>Why a Modbus/TCP Security (TLS) connection could not be established.</summary>
public enum ModbusSecurityFailure
{
    /// <summary>The TLS handshake failed for another reason (no common protocol version or cipher, an alert from the peer).</summary>
    HandshakeFailed = 0,

    /// <summary>The peer does not speak TLS where TLS was expected, or speaks TLS where plain Modbus TCP was expected.</summary>
    NotTls = 1,

    /// <summary>The peer's certificate does not chain to a trusted certificate authority, or is not valid for its use.</summary>
    UntrustedCertificate = 2,

    /// <summary>The peer's certificate, or one in its chain, has expired or is not yet valid.</summary>
    ExpiredCertificate = 3,

    /// <summary>The server's certificate does not name the host the client connected to.</summary>
    NameMismatch = 4,

    /// <summary>The peer's certificate, or one in its chain, is revoked (or its revocation status is unknown while checking is on).</summary>
    RevokedCertificate = 5,

    /// <summary>The peer presented no certificate; Modbus/TCP Security requires one on both sides.</summary>
    NoCertificate = 6,

    /// <summary>The peer rejected this side's certificate (a TLS alert during or right after the handshake).</summary>
    CertificateRejected = 7,

    /// <summary>The endpoint uses TLS but no TLS options (client certificate, trust anchors) are configured.</summary>
    NotConfigured = 8,
}

/// <summary>
/// A Modbus/TCP Security (TLS) connection failed its handshake or its certificate checks. Unlike other transport
/// failures this is not transient: trying again unchanged fails the same way, so requests are not retried.
/// </summary>
public sealed class ModbusSecurityException : ModbusTransportException
{
    /// <summary>Initializes a new instance of the <see cref="ModbusSecurityException"/> class.</summary>
    /// <param name="endpoint">The device's endpoint.</param>
    /// <param name="failure">Why the connection failed.</param>
    /// <param name="message">What failed, in words.</param>
    /// <param name="innerException">The TLS or IO error, if any.</param>
    public ModbusSecurityException(ModbusEndpoint endpoint, ModbusSecurityFailure failure, string message, Exception? innerException = null)
        : base(endpoint, $"TLS: {message}", innerException)
    {
        Failure = failure;
    }

    /// <summary>Gets why the connection failed.</summary>
    public ModbusSecurityFailure Failure { get; }

    /// <summary>Gets a value indicating whether trying again may succeed: never, until a certificate or the configuration changes.</summary>
    public override bool IsTransient => false;
}
