using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Security;

/// <summary>A certificate check that failed: why, and in words.</summary>
internal readonly record struct CertificateProblem(ModbusSecurityFailure Failure, string Detail);

/// <summary>Certificate checks shared by the client and the server: chain to the trust anchors, validity period, usage, name.</summary>
internal static class ModbusTls
{
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Checks a peer's certificate; <see langword="null"/> when it passes.</summary>
    public static CertificateProblem? Check(X509Certificate? certificate, X509Chain? presented, X509Certificate2Collection anchors, bool checkRevocation, string usage, string? hostName, TimeProvider time)
    {
        if (certificate is null)
        {
            return new(ModbusSecurityFailure.NoCertificate, "the peer presented no certificate");
        }

        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        using var chain = new X509Chain();
        var now = time.GetLocalNow().DateTime;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.RevocationMode = checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        if (anchors.Count > 0)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        }

        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (!chain.Build(leaf))
        {
            var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            var words = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            const X509ChainStatusFlags revocation = X509ChainStatusFlags.Revoked | X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;
            const X509ChainStatusFlags validity = X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested;
            if ((flags & ~validity) == 0)
            {
                var detail = leaf.NotAfter < now ? $"certificate '{leaf.Subject}' expired on {leaf.NotAfter.ToUniversalTime():u}"
                    : leaf.NotBefore > now ? $"certificate '{leaf.Subject}' is not valid before {leaf.NotBefore.ToUniversalTime():u}"
                    : $"a certificate in the chain of '{leaf.Subject}' is outside its validity period";
                return new(ModbusSecurityFailure.ExpiredCertificate, detail);
            }

            if ((flags & revocation) != 0 && (flags & ~(revocation | validity)) == 0)
            {
                return new(ModbusSecurityFailure.RevokedCertificate, $"certificate '{leaf.Subject}' is revoked or its revocation status is unknown ({words})");
            }

            return new(ModbusSecurityFailure.UntrustedCertificate, $"certificate '{leaf.Subject}' (issuer '{leaf.Issuer}') is not trusted: {words}");
        }

        if (hostName is not null && !leaf.MatchesHostname(hostName))
        {
            return new(ModbusSecurityFailure.NameMismatch, $"certificate '{leaf.Subject}' does not name '{hostName}'");
        }

        return null;
    }

    /// <summary>Tells whether bytes received on a plain connection start a TLS record (handshake or alert): the peer speaks TLS.</summary>
    public static bool LooksLikeTlsRecord(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 3 && bytes[0] is 0x15 or 0x16 && bytes[1] == 0x03 && bytes[2] <= 0x04;

    /// <summary>
    /// A copy that owns its key material, usable by SslStream on every platform (a PEM key is ephemeral, which SslStream
    /// on Windows cannot use); a certificate whose key cannot be exported (from a store) is used as it is.
    /// </summary>
    public static X509Certificate2 Usable(X509Certificate2 certificate)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException)
        {
            return certificate;
        }
    }
}

/// <summary>The client's TLS settings, resolved once (files read, the certificate found) from <see cref="ModbusTlsOptions"/>.</summary>
internal sealed class ModbusTlsClient
{
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection _anchors;
    private readonly string? _targetHost;
    private readonly bool _checkRevocation;
    private SslStreamCertificateContext? _context;

    private ModbusTlsClient(X509Certificate2 certificate, X509Certificate2Collection anchors, string? targetHost, bool checkRevocation)
    {
        _certificate = certificate;
        _anchors = anchors;
        _targetHost = targetHost;
        _checkRevocation = checkRevocation;
    }

    /// <summary>Reads the options; a missing, unreadable or ambiguous setting is an <see cref="ArgumentException"/> naming it.</summary>
    public static ModbusTlsClient Create(ModbusTlsOptions options)
    {
        const string prefix = "ModbusTcpOptions.Tls.";
        var sources = (options.GetClientCertificate() is null ? 0 : 1) + (string.IsNullOrWhiteSpace(options.CertificateFile) ? 0 : 1) + (string.IsNullOrWhiteSpace(options.CertificateThumbprint) ? 0 : 1);
        if (sources != 1)
        {
            throw new ArgumentException(
                $"{prefix}CertificateFile, CertificateThumbprint and UseClientCertificate: exactly one must be given (Modbus/TCP Security requires a client certificate), {sources} are.",
                nameof(options));
        }

        var certificate = options.GetClientCertificate() ?? (options.CertificateFile is { Length: > 0 } file
            ? Load(prefix + nameof(ModbusTlsOptions.CertificateFile), () => LoadFile(file, options.KeyFile, options.CertificatePassword))
            : Load(prefix + nameof(ModbusTlsOptions.CertificateThumbprint), () => FindInStore(options.CertificateThumbprint!)));
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException($"{prefix}client certificate '{certificate.Subject}' has no private key.", nameof(options));
        }

        var anchors = new X509Certificate2Collection(options.GetAuthorities());
        if (options.TrustedCertificateAuthoritiesFile is { Length: > 0 } caFile)
        {
            Load(prefix + nameof(ModbusTlsOptions.TrustedCertificateAuthoritiesFile), () =>
            {
                anchors.ImportFromPemFile(caFile);
                return certificate;
            });
        }

        return new ModbusTlsClient(ModbusTls.Usable(certificate), anchors, options.TargetHost, options.CheckRevocation);
    }

    /// <summary>Copies the options (for a copy of the client's options).</summary>
    public static ModbusTlsOptions Copy(ModbusTlsOptions options)
    {
        var copy = new ModbusTlsOptions
        {
            CertificateFile = options.CertificateFile,
            KeyFile = options.KeyFile,
            CertificatePassword = options.CertificatePassword,
            CertificateThumbprint = options.CertificateThumbprint,
            TrustedCertificateAuthoritiesFile = options.TrustedCertificateAuthoritiesFile,
            TargetHost = options.TargetHost,
            CheckRevocation = options.CheckRevocation,
        };
        if (options.GetClientCertificate() is { } certificate)
        {
            copy.UseClientCertificate(certificate);
        }

        foreach (var authority in options.GetAuthorities())
        {
            copy.TrustCertificateAuthority(authority);
        }

        return copy;
    }

    /// <summary>Runs the client's handshake on a connected socket; every certificate or handshake failure is a <see cref="ModbusSecurityException"/>.</summary>
    public async Task<SslStream> AuthenticateAsync(Socket socket, ModbusEndpoint endpoint, TimeProvider time, CancellationToken cancellationToken)
    {
        var hostName = _targetHost ?? endpoint.Host;
        CertificateProblem? problem = null;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = hostName,
            EnabledSslProtocols = ModbusTls.Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // checked in the callback, as configured
            ClientCertificateContext = _context ??= SslStreamCertificateContext.Create(_certificate, null, offline: true),
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                problem = ModbusTls.Check(certificate, chain, _anchors, _checkRevocation, ModbusTls.ServerAuthentication, hostName, time);
                return problem is null;
            },
        };
        try
        {
            await stream.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (problem is { } p)
            {
                throw new ModbusSecurityException(endpoint, p.Failure, $"the server's {p.Detail}", ex);
            }

            var classified = Classify(ex);
            throw new ModbusSecurityException(endpoint, classified.Failure, classified.Detail, ex);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Names a handshake failure that was not our own certificate check: the server refused us, or does not speak TLS.</summary>
    public static CertificateProblem Classify(Exception error)
    {
        var text = string.Join(" ", Chain(error).Select(e => e.Message).Distinct());
        if (text.Contains("alert", StringComparison.OrdinalIgnoreCase) && (text.Contains("certificate", StringComparison.OrdinalIgnoreCase) || text.Contains("CA", StringComparison.Ordinal)))
        {
            return new(ModbusSecurityFailure.CertificateRejected, $"the server refused the client's certificate ({text})");
        }

        if (error is IOException && !Chain(error).OfType<AuthenticationException>().Any())
        {
            return new(ModbusSecurityFailure.NotTls, $"the device closed the connection during the TLS handshake: it may not speak TLS (Modbus/TCP Security) on this port ({text})");
        }

        return new(ModbusSecurityFailure.HandshakeFailed, $"the handshake failed: {text}");
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static X509Certificate2 Load(string option, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
#pragma warning disable CA2208 // The option named is a member of the caller's options argument.
            throw new ArgumentException($"{option}: {ex.Message}", "options", ex);
#pragma warning restore CA2208
        }
    }

    private static X509Certificate2 LoadFile(string file, string? keyFile, string? password)
    {
        var extension = Path.GetExtension(file);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(file, password);
        }

        return X509Certificate2.CreateFromPemFile(file, keyFile);
    }

    private static X509Certificate2 FindInStore(string thumbprint)
    {
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                continue; // no such store on this host
            }

            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint.Replace(" ", "", StringComparison.Ordinal), validOnly: false);
            if (found.Count > 0)
            {
                return found[0];
            }
        }

        throw new InvalidOperationException($"no certificate with thumbprint {thumbprint} in the personal store of the current user or the local machine");
    }
}
