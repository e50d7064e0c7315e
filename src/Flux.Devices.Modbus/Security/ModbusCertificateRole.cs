using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Flux.Devices.Modbus;

/// <summary>
/// The Modbus role extension of Modbus/TCP Security: a certificate extension with OID <c>1.3.6.1.4.1.50316.802.1</c>
/// whose value is one role (for example "Operator") as an ASN.1 UTF8String. Authorising by role is the server's
/// business; a certificate without the extension has no role.
/// </summary>
public static class ModbusCertificateRole
{
    /// <summary>The OID of the Modbus role extension.</summary>
    public const string Oid = "1.3.6.1.4.1.50316.802.1";

    /// <summary>Makes the role extension, to add to a certificate request.</summary>
    /// <param name="role">The role.</param>
    /// <returns>The (non-critical) extension.</returns>
    /// <exception cref="ArgumentException">The role is blank.</exception>
    public static X509Extension CreateExtension(string role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.UTF8String, role);
        return new X509Extension(Oid, writer.Encode(), critical: false);
    }

    /// <summary>Reads the role from a certificate.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The role; <see langword="null"/> when the certificate has no role extension.</returns>
    /// <exception cref="FormatException">The extension is there but its value is not a DER UTF8String.</exception>
    public static string? Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == Oid)
            {
                try
                {
                    var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
                    var role = reader.ReadCharacterString(UniversalTagNumber.UTF8String);
                    reader.ThrowIfNotEmpty();
                    return role;
                }
                catch (AsnContentException ex)
                {
                    throw new FormatException($"The Modbus role extension ({Oid}) of certificate '{certificate.Subject}' is not a DER UTF8String: {ex.Message}", ex);
                }
            }
        }

        return null;
    }
}
