using System.Security.Cryptography.X509Certificates;

namespace Flux.Devices.Modbus;

/// <summary>
/// The client's side of Modbus/TCP Security (TLS 1.2 or later, mutual X.509 authentication), used for every endpoint
/// whose <see cref="Flux.Devices.Transport.ModbusEndpoint.UseTls"/> is set. Set it through <see cref="ModbusTcpOptions.Tls"/>;
/// the properties bind from configuration, certificates made in code are given with <see cref="UseClientCertificate"/>
/// and <see cref="TrustCertificateAuthority"/>.
/// </summary>
/// <remarks>
/// The client's certificate comes from exactly one of <see cref="UseClientCertificate"/>, <see cref="CertificateFile"/>
/// or <see cref="CertificateThumbprint"/>. The server's certificate must chain to an authority given with
/// <see cref="TrustCertificateAuthority"/> or in <see cref="TrustedCertificateAuthoritiesFile"/> (the host's trusted
/// roots when neither is given), be within its validity period, allow server authentication, and name the host
/// (<see cref="TargetHost"/>, else the endpoint's host, which may be an IP address).
/// </remarks>
public sealed class ModbusTlsOptions
{
    private readonly X509Certificate2Collection _authorities = [];
    private X509Certificate2? _clientCertificate;
    private Security.ModbusTlsClient? _resolved;

    /// <summary>
    /// Gets or sets a file with the client's certificate: PKCS#12 (<c>.pfx</c>, <c>.p12</c>, with
    /// <see cref="CertificatePassword"/>) or PEM (the key in the same file or in <see cref="KeyFile"/>).
    /// </summary>
    public string? CertificateFile { get; set; }

    /// <summary>Gets or sets the PEM file with the private key of a PEM <see cref="CertificateFile"/>, when it is not in that file.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Gets or sets the password of a PKCS#12 <see cref="CertificateFile"/>.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Gets or sets the thumbprint (SHA-1, hex) of the client's certificate in the host's personal store (current user, then local machine).</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>Gets or sets a PEM file of certificate authorities a server's certificate may chain to (the trust anchors).</summary>
    public string? TrustedCertificateAuthoritiesFile { get; set; }

    /// <summary>Gets or sets the name the server's certificate must carry; <see langword="null"/> for the endpoint's host.</summary>
    public string? TargetHost { get; set; }

    /// <summary>Gets or sets a value indicating whether the revocation status of the server's certificate chain is checked online.</summary>
    /// <value>The default value is <see langword="false"/> (field networks rarely reach a revocation server).</value>
    public bool CheckRevocation { get; set; }

    /// <summary>Gets the client's certificate given with <see cref="UseClientCertificate"/> (a method: the configuration binder binds properties).</summary>
    internal X509Certificate2? GetClientCertificate() => _clientCertificate;

    /// <summary>Gets the authorities given with <see cref="TrustCertificateAuthority"/>.</summary>
    internal X509Certificate2Collection GetAuthorities() => _authorities;

    /// <summary>Uses a certificate made or loaded in code as the client's certificate.</summary>
    /// <param name="certificate">The certificate, with its private key.</param>
    /// <returns>The same options.</returns>
    public ModbusTlsOptions UseClientCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _clientCertificate = certificate;
        return this;
    }

    /// <summary>Trusts a certificate authority (a trust anchor) that servers' certificates may chain to.</summary>
    /// <param name="certificate">The authority's certificate.</param>
    /// <returns>The same options.</returns>
    public ModbusTlsOptions TrustCertificateAuthority(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _authorities.Add(certificate);
        return this;
    }

    /// <summary>Reads the settings once (files, store), for the transport's own copy.</summary>
    internal Security.ModbusTlsClient Resolve() => _resolved ??= Security.ModbusTlsClient.Create(this);
}

/// <summary>The server's side of Modbus/TCP Security for a <see cref="Server.ModbusTcpServer"/>: set it through <see cref="Server.ModbusTcpServerOptions.Tls"/>.</summary>
/// <remarks>
/// Every client must present a certificate that chains to one of <see cref="TrustedCertificateAuthorities"/>, is
/// within its validity period and allows client authentication; others are refused during the handshake. The role in
/// the client's certificate (<see cref="ModbusCertificateRole"/>) is passed with each request (<see cref="Server.ModbusRequestRecord.Role"/>).
/// </remarks>
public sealed class ModbusTlsServerOptions
{
    /// <summary>Gets or sets the server's certificate, with its private key.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>Gets the certificate authorities a client's certificate must chain to.</summary>
    public X509Certificate2Collection TrustedCertificateAuthorities { get; } = [];

    /// <summary>Gets or sets a value indicating whether the revocation status of clients' certificate chains is checked online.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool CheckRevocation { get; set; }

    /// <summary>Gets or sets the longest a client may take to complete the TLS handshake.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
