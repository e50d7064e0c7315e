using System.CommandLine;
using Flux.Devices.Modbus;
using Flux.Devices.Transport;

namespace Flux.Devices.Cli;

/// <summary>
/// The options that say how to reach a device beyond its address: <c>--framing tcp|rtu</c> (Modbus TCP, or RTU frames
/// through a transparent TCP gateway), <c>--tls</c> (Modbus/TCP Security) and the client's TLS files,
/// <c>--tls-cert</c>, <c>--tls-key</c> and <c>--tls-ca</c>.
/// </summary>
internal sealed class TransportOptions
{
    private TransportOptions()
    {
    }

    /// <summary>Gets <c>--framing</c>.</summary>
    public ChoiceOption<ModbusFraming> Framing { get; } = CliOptions.Enum("--framing", "The framing: Modbus TCP, or RTU frames through a transparent TCP gateway (RTU over TCP).", ModbusFraming.Tcp, f => f == ModbusFraming.RtuOverTcp ? "rtu" : "tcp");

    /// <summary>Gets <c>--tls</c>.</summary>
    public Option<bool> Tls { get; } = new("--tls") { Description = "Use Modbus/TCP Security (TLS, port 802 by default; Modbus TCP framing only). Needs --tls-cert." };

    /// <summary>Gets <c>--tls-cert</c>.</summary>
    public Option<FileInfo?> Certificate { get; } = CliOptions.File("--tls-cert", "The client certificate for --tls: a PEM file (its key in it or in --tls-key), or a PKCS#12 (.pfx) file.");

    /// <summary>Gets <c>--tls-key</c>.</summary>
    public Option<FileInfo?> Key { get; } = CliOptions.File("--tls-key", "The PEM private key of --tls-cert, when it is not in that file.");

    /// <summary>Gets <c>--tls-ca</c>.</summary>
    public Option<FileInfo?> Authorities { get; } = CliOptions.File("--tls-ca", "A PEM file of the certificate authorities to trust for the device's certificate (by default the host's).");

    /// <summary>Makes the options and adds them to a command.</summary>
    public static TransportOptions AddTo(Command command)
    {
        var options = new TransportOptions();
        command.Options.Add(options.Framing);
        command.Options.Add(options.Tls);
        command.Options.Add(options.Certificate);
        command.Options.Add(options.Key);
        command.Options.Add(options.Authorities);
        return options;
    }

    /// <summary>
    /// Makes the client's TLS file options only and adds them to a command that reaches devices as their metadata says
    /// (<c>modbus_tls</c>): <c>devices health</c>. Read them with <see cref="ReadFiles"/>.
    /// </summary>
    public static TransportOptions AddFilesTo(Command command)
    {
        var options = new TransportOptions();
        command.Options.Add(options.Certificate);
        command.Options.Add(options.Key);
        command.Options.Add(options.Authorities);
        return options;
    }

    /// <summary>The client's TLS settings from the options <see cref="AddFilesTo"/> added, <see langword="null"/> without <c>--tls-cert</c>.</summary>
    /// <exception cref="UsageException"><c>--tls-key</c> or <c>--tls-ca</c> without <c>--tls-cert</c>.</exception>
    /// <exception cref="FileNotFoundException">A TLS file is not there.</exception>
    public ModbusTlsOptions? ReadFiles(ParseResult result)
    {
        if (result.GetValue(Certificate) is not null)
        {
            return Settings(result);
        }

        var key = result.GetValue(Key);
        if ((key ?? result.GetValue(Authorities)) is { } file)
        {
            throw new UsageException($"{(key is not null ? Key.Name : Authorities.Name)} {file}: give --tls-cert too: Modbus/TCP Security requires a client certificate.");
        }

        return null;
    }

    /// <summary>
    /// Reads the framing and whether TLS is asked for, together with what an endpoint's text already says
    /// (<c>rtu+tcp://</c>, <c>mbaps://</c>), and the client's TLS settings when TLS is used.
    /// </summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="framing">The endpoint text's framing, if it named one.</param>
    /// <param name="useTls">Whether the endpoint text asked for TLS.</param>
    /// <returns>The framing, whether to use TLS, and the client's TLS settings (<see langword="null"/> without TLS).</returns>
    /// <exception cref="UsageException">TLS with RTU framing, TLS without a certificate, or TLS files without TLS.</exception>
    /// <exception cref="FileNotFoundException">A TLS file is not there.</exception>
    public (ModbusFraming Framing, bool UseTls, ModbusTlsOptions? Tls) Read(ParseResult result, ModbusFraming? framing = null, bool useTls = false)
    {
        var given = Framing.ValueIn(result);
        var rtu = given == ModbusFraming.RtuOverTcp || framing == ModbusFraming.RtuOverTcp;
        var tls = useTls || result.GetValue(Tls);
        var certificate = result.GetValue(Certificate);
        var key = result.GetValue(Key);
        var authorities = result.GetValue(Authorities);
        if (tls && rtu)
        {
            var rtuSource = given == ModbusFraming.RtuOverTcp ? "--framing rtu" : "rtu+tcp://";
            var tlsSource = result.GetValue(Tls) ? "--tls" : "mbaps://";
            throw new UsageException($"{tlsSource} with {rtuSource}: Modbus/TCP Security carries Modbus TCP framing only.");
        }

        if (!tls)
        {
            if ((certificate ?? key ?? authorities) is { } file)
            {
                var name = certificate is not null ? Certificate.Name : key is not null ? Key.Name : Authorities.Name;
                throw new UsageException($"{name} {file}: is for Modbus/TCP Security; give --tls too.");
            }

            return (rtu ? ModbusFraming.RtuOverTcp : ModbusFraming.Tcp, false, null);
        }

        if (certificate is null)
        {
            throw new UsageException("--tls needs --tls-cert: Modbus/TCP Security requires a client certificate.");
        }

        return (ModbusFraming.Tcp, true, Settings(result));
    }

    private ModbusTlsOptions Settings(ParseResult result) => new()
    {
        CertificateFile = Existing(Certificate.Name, result.GetValue(Certificate)!),
        KeyFile = result.GetValue(Key) is { } key ? Existing(Key.Name, key) : null,
        TrustedCertificateAuthoritiesFile = result.GetValue(Authorities) is { } authorities ? Existing(Authorities.Name, authorities) : null,
    };

    private static string Existing(string option, FileInfo file) =>
        file.Exists ? file.FullName : throw new FileNotFoundException($"{option} {file}: no file {file.FullName}.", file.FullName);
}
