using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Flux.Devices.Modbus.Tests.Support;

/// <summary>
/// Throwaway certificates for the TLS tests, made in memory with <see cref="CertificateRequest"/> (nothing on disk
/// unless a test writes PEM files): a test CA with a server certificate for 127.0.0.1/localhost, a client certificate
/// with the Modbus role "Operator", an expired server certificate, a server certificate for another name, and a
/// second CA with a server and a client certificate of its own.
/// </summary>
internal sealed class TestPki
{
    public const string Role = "Operator";

    private static readonly Lazy<TestPki> Shared = new(() => new TestPki());

    private TestPki()
    {
        var now = DateTimeOffset.UtcNow;
        Ca = CreateCa("CN=Flux Test CA");
        OtherCa = CreateCa("CN=Other Test CA");
        Server = Issue(Ca, "CN=127.0.0.1", server: true, now.AddDays(-1), now.AddDays(30), names: ["localhost"], addresses: [IPAddress.Loopback]);
        Client = Issue(Ca, "CN=flux-client", server: false, now.AddDays(-1), now.AddDays(30), role: Role);
        ClientWithoutRole = Issue(Ca, "CN=flux-client-norole", server: false, now.AddDays(-1), now.AddDays(30));
        ExpiredServer = Issue(Ca, "CN=expired", server: true, now.AddDays(-30), now.AddDays(-1), names: ["localhost"], addresses: [IPAddress.Loopback]);
        OtherNameServer = Issue(Ca, "CN=device.example", server: true, now.AddDays(-1), now.AddDays(30), names: ["device.example"]);
        OtherCaServer = Issue(OtherCa, "CN=127.0.0.1", server: true, now.AddDays(-1), now.AddDays(30), names: ["localhost"], addresses: [IPAddress.Loopback]);
        OtherCaClient = Issue(OtherCa, "CN=intruder", server: false, now.AddDays(-1), now.AddDays(30), role: "Engineer");
    }

    public static TestPki Instance => Shared.Value;

    public X509Certificate2 Ca { get; }

    public X509Certificate2 OtherCa { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 ClientWithoutRole { get; }

    public X509Certificate2 ExpiredServer { get; }

    public X509Certificate2 OtherNameServer { get; }

    public X509Certificate2 OtherCaServer { get; }

    public X509Certificate2 OtherCaClient { get; }

    /// <summary>Writes a certificate (and its key, when it has one) as PEM files; returns their paths.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string directory, string name)
    {
        var certificatePath = Path.Combine(directory, name + ".crt");
        var keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        if (certificate.GetECDsaPrivateKey() is { } key)
        {
            using (key)
            {
                File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
            }
        }

        return (certificatePath, keyPath);
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-60), now.AddYears(1));
    }

    private static X509Certificate2 Issue(
        X509Certificate2 ca,
        string subject,
        bool server,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        string[]? names = null,
        IPAddress[]? addresses = null,
        string? role = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (names is not null || addresses is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names ?? [])
            {
                san.AddDnsName(name);
            }

            foreach (var address in addresses ?? [])
            {
                san.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        if (role is not null)
        {
            request.CertificateExtensions.Add(ModbusCertificateRole.CreateExtension(role));
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca, notBefore, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }
}
