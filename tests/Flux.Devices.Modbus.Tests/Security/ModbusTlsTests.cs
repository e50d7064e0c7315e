using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests.Security;

/// <summary>
/// Modbus/TCP Security between our client and our server on 127.0.0.1, with certificates made in the test: the round
/// trip, the role, and each failure as a typed <see cref="ModbusSecurityException"/> that is not retried.
/// </summary>
public sealed class ModbusTlsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private static TestPki Pki => TestPki.Instance;

    [Fact]
    public async Task Client_ReadsAndWritesOverTls_AndTheServerSeesTheRoleFromTheClientCertificate()
    {
        await using var server = await StartTlsServerAsync(Pki.Server, new ModbusTcpServerOptions { RecordRequests = true });
        await using var client = new ModbusTcpTransport(ClientOptions(Pki.Client));
        var endpoint = Secure(server);

        var registers = new ushort[3];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 100, registers, TestContext.Current.CancellationToken);
        await client.WriteSingleRegisterAsync(endpoint, 1, 7, 4242, TestContext.Current.CancellationToken);
        var written = new ushort[1];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 7, written, TestContext.Current.CancellationToken);

        Assert.Equal(new ushort[] { 100, 101, 102 }, registers);
        Assert.Equal(4242, written[0]);
        Assert.Equal(3, server.RecordedRequests.Count);
        Assert.All(server.RecordedRequests, r => Assert.Equal(TestPki.Role, r.Role));
    }

    [Fact]
    public async Task Server_AuthorizesByRole_RefusedRequestsGetIllegalFunction()
    {
        var options = new ModbusTcpServerOptions { Authorize = r => r.FunctionCode is 0x03 || r.Role == "Engineer" };
        await using var server = await StartTlsServerAsync(Pki.Server, options);
        await using var client = new ModbusTcpTransport(ClientOptions(Pki.Client));
        var endpoint = Secure(server);

        var registers = new ushort[1];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 5, registers, TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<ModbusException>(() => client.WriteSingleRegisterAsync(endpoint, 1, 5, 1, TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(5, registers[0]);
        Assert.Equal(ModbusExceptionCode.IllegalFunction, refused.Code);
    }

    [Fact]
    public async Task Server_PassesNoRole_WhenTheClientCertificateHasNone()
    {
        await using var server = await StartTlsServerAsync(Pki.Server, new ModbusTcpServerOptions { RecordRequests = true });
        await using var client = new ModbusTcpTransport(ClientOptions(Pki.ClientWithoutRole));

        await client.ReadHoldingRegistersAsync(Secure(server), 1, 0, new ushort[1], TestContext.Current.CancellationToken);

        Assert.Null(Assert.Single(server.RecordedRequests).Role);
    }

    [Fact]
    public async Task ExpiredServerCertificate_IsExpiredCertificate_NotRetried()
    {
        await using var server = await StartTlsServerAsync(Pki.ExpiredServer);

        var error = await FailsOnceAsync(server, ClientOptions(Pki.Client));

        Assert.Equal(ModbusSecurityFailure.ExpiredCertificate, error.Failure);
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerCertificateForAnotherName_IsNameMismatch_NotRetried()
    {
        await using var server = await StartTlsServerAsync(Pki.OtherNameServer);

        var error = await FailsOnceAsync(server, ClientOptions(Pki.Client));

        Assert.Equal(ModbusSecurityFailure.NameMismatch, error.Failure);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerCertificateForAnotherName_IsAccepted_WhenTargetHostNamesIt()
    {
        await using var server = await StartTlsServerAsync(Pki.OtherNameServer);
        var options = ClientOptions(Pki.Client);
        options.Tls!.TargetHost = "device.example";
        await using var client = new ModbusTcpTransport(options);

        var registers = new ushort[1];
        await client.ReadHoldingRegistersAsync(Secure(server), 1, 9, registers, TestContext.Current.CancellationToken);

        Assert.Equal(9, registers[0]);
    }

    [Fact]
    public async Task ServerCertificateFromAnotherCa_IsUntrustedCertificate_NotRetried()
    {
        await using var server = await StartTlsServerAsync(Pki.OtherCaServer);

        var error = await FailsOnceAsync(server, ClientOptions(Pki.Client));

        Assert.Equal(ModbusSecurityFailure.UntrustedCertificate, error.Failure);
        Assert.Contains("Other Test CA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainClient_ToATlsPort_IsNotTls_NotRetried()
    {
        await using var server = await StartTlsServerAsync(Pki.Server);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 2, RetryDelay = TimeSpan.FromSeconds(1) }, time);

        var error = await Assert.ThrowsAsync<ModbusSecurityException>(
            () => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1], TestContext.Current.CancellationToken).AsTask().WaitAsync(Generous, TestContext.Current.CancellationToken));

        Assert.Equal(ModbusSecurityFailure.NotTls, error.Failure);
        Assert.Contains("UseTls", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.RequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PlainClient_ToPort802ThatDropsItWithoutAWord_IsNotTls_ButOnAnotherPortAClosedConnection(bool reset)
    {
        // What OpenSSL does with a client that does not start a handshake: read, then close (or reset).
        using var secure = DroppingListener(new IPEndPoint(IPAddress.Parse("127.0.80.3"), ModbusEndpoint.DefaultSecurePort), reset);
        using var plain = DroppingListener(new IPEndPoint(IPAddress.Parse("127.0.80.3"), 0), reset);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 0 }, time);

        var onSecurePort = await Assert.ThrowsAsync<ModbusSecurityException>(
            () => client.ReadHoldingRegistersAsync(new ModbusEndpoint("127.0.80.3", ModbusEndpoint.DefaultSecurePort), 1, 0, new ushort[1], TestContext.Current.CancellationToken).AsTask().WaitAsync(Generous, TestContext.Current.CancellationToken));
        var elsewhere = await Assert.ThrowsAsync<ModbusTransportException>(
            () => client.ReadHoldingRegistersAsync(new ModbusEndpoint("127.0.80.3", ((IPEndPoint)plain.LocalEndPoint!).Port), 1, 0, new ushort[1], TestContext.Current.CancellationToken).AsTask().WaitAsync(Generous, TestContext.Current.CancellationToken));

        Assert.Equal(ModbusSecurityFailure.NotTls, onSecurePort.Failure);
        Assert.Contains("port 802", onSecurePort.Message, StringComparison.Ordinal);
        Assert.IsNotType<ModbusSecurityException>(elsewhere);
    }

    /// <summary>A listener that reads what each client sends, then closes the connection (or resets it) without answering.</summary>
    private static Socket DroppingListener(IPEndPoint at, bool reset)
    {
        var listener = new Socket(at.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(at);
        listener.Listen();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var client = await listener.AcceptAsync();
                    var buffer = new byte[64];
                    _ = await client.ReceiveAsync(buffer);
                    if (reset)
                    {
                        client.LingerState = new LingerOption(true, 0);
                    }

                    client.Dispose();
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The test is over.
            }
        });
        return listener;
    }

    [Fact]
    public async Task TlsClient_ToAPlainPort_IsNotTls_NotRetried()
    {
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, Loopback.AddressEchoUnit());

        var error = await FailsOnceAsync(server, ClientOptions(Pki.Client));

        Assert.Equal(ModbusSecurityFailure.NotTls, error.Failure);
    }

    [Fact]
    public async Task Server_RefusesAClientCertificateFromAnotherCa()
    {
        await using var server = await StartTlsServerAsync(Pki.Server, new ModbusTcpServerOptions { RecordRequests = true });

        var error = await FailsOnceAsync(server, ClientOptions(Pki.OtherCaClient));

        Assert.Equal(ModbusSecurityFailure.CertificateRejected, error.Failure);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task Server_RefusesAClientWithoutACertificate()
    {
        await using var server = await StartTlsServerAsync(Pki.Server);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint, TestContext.Current.CancellationToken);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == Pki.Server.Thumbprint,
        };

        var refused = false;
        try
        {
            await tls.AuthenticateAsClientAsync(options, TestContext.Current.CancellationToken).WaitAsync(Generous, TestContext.Current.CancellationToken);
            await tls.WriteAsync(new byte[] { 0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1 }, TestContext.Current.CancellationToken);
            var reply = new byte[16];
            refused = await tls.ReadAsync(reply, TestContext.Current.CancellationToken).AsTask().WaitAsync(Generous, TestContext.Current.CancellationToken) == 0;
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            refused = true;
        }

        Assert.True(refused, "the server answered a client that had no certificate");
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task TlsEndpoint_WithoutTlsOptions_IsNotConfigured()
    {
        await using var server = await StartTlsServerAsync(Pki.Server);
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 0 });

        var error = await Assert.ThrowsAsync<ModbusSecurityException>(() => client.ReadHoldingRegistersAsync(Secure(server), 1, 0, new ushort[1], TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(ModbusSecurityFailure.NotConfigured, error.Failure);
        Assert.Contains("ModbusTcpOptions.Tls", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Client_LoadsItsCertificateAndTrustAnchorsFromPemFiles()
    {
        var directory = Directory.CreateTempSubdirectory("flux-tls-");
        try
        {
            var (certificate, key) = TestPki.WritePem(Pki.Client, directory.FullName, "client");
            var (ca, _) = TestPki.WritePem(Pki.Ca, directory.FullName, "ca");
            await using var server = await StartTlsServerAsync(Pki.Server, new ModbusTcpServerOptions { RecordRequests = true });
            await using var client = new ModbusTcpTransport(new ModbusTcpOptions
            {
                Tls = new ModbusTlsOptions { CertificateFile = certificate, KeyFile = key, TrustedCertificateAuthoritiesFile = ca },
            });

            var registers = new ushort[2];
            await client.ReadHoldingRegistersAsync(Secure(server), 1, 40, registers, TestContext.Current.CancellationToken);

            Assert.Equal(new ushort[] { 40, 41 }, registers);
            Assert.Equal(TestPki.Role, Assert.Single(server.RecordedRequests).Role);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TlsFileSettings_BindFromConfiguration_AndTheClientUsesThem()
    {
        var directory = Directory.CreateTempSubdirectory("flux-tls-");
        try
        {
            var (certificate, key) = TestPki.WritePem(Pki.Client, directory.FullName, "client");
            var (ca, _) = TestPki.WritePem(Pki.Ca, directory.FullName, "ca");
            await using var server = await StartTlsServerAsync(Pki.OtherNameServer);
            using var host = ConfiguredHost.Build(
                new()
                {
                    ["FluxDevices:Modbus:Tls:CertificateFile"] = certificate,
                    ["FluxDevices:Modbus:Tls:KeyFile"] = key,
                    ["FluxDevices:Modbus:Tls:TrustedCertificateAuthoritiesFile"] = ca,
                    ["FluxDevices:Modbus:Tls:TargetHost"] = "device.example",
                    ["FluxDevices:Modbus:Tls:CheckRevocation"] = "false",
                },
                (builder, configuration) => builder.Services.AddFluxDevices().UseModbusTcp(configuration.GetSection("FluxDevices:Modbus")));
            await host.StartAsync(TestContext.Current.CancellationToken);

            var tls = host.Services.GetRequiredService<IOptions<ModbusTcpOptions>>().Value.Tls;
            var registers = new ushort[1];
            await host.Services.GetRequiredService<IModbusTransport>().ReadHoldingRegistersAsync(Secure(server), 1, 77, registers, TestContext.Current.CancellationToken);
            await host.StopAsync(TestContext.Current.CancellationToken);

            Assert.Equal(certificate, tls?.CertificateFile);
            Assert.Equal("device.example", tls?.TargetHost);
            Assert.Equal(77, registers[0]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Options_NamingAMissingFile_FailAtConstruction_NamingTheOption()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"flux-missing-{Guid.NewGuid():N}.pem");

        var error = Assert.ThrowsAny<ArgumentException>(() => new ModbusTcpTransport(new ModbusTcpOptions { Tls = new ModbusTlsOptions { CertificateFile = missing } }));

        Assert.Contains("ModbusTcpOptions.Tls.CertificateFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_WithoutAClientCertificate_FailAtConstruction()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ModbusTcpTransport(new ModbusTcpOptions { Tls = new ModbusTlsOptions().TrustCertificateAuthority(Pki.Ca) }));

        Assert.Contains("exactly one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerOptions_WithoutACertificate_FailAtConstruction()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ModbusTcpServer(new ModbusTcpServerOptions { Tls = new ModbusTlsServerOptions() }));

        Assert.Contains("ModbusTcpServerOptions.Tls.ServerCertificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoleExtension_IsAUtf8StringUnderTheModbusOid()
    {
        var extension = ModbusCertificateRole.CreateExtension("Operator");

        Assert.Equal("1.3.6.1.4.1.50316.802.1", extension.Oid!.Value);
        byte[] utf8String = [0x0C, 0x08, .. "Operator"u8.ToArray()];
        Assert.Equal(utf8String, extension.RawData);
        Assert.Equal(TestPki.Role, ModbusCertificateRole.Read(Pki.Client));
        Assert.Null(ModbusCertificateRole.Read(Pki.ClientWithoutRole));
    }

    [Fact]
    public void RoleExtension_ThatIsNotAUtf8String_IsAFormatError()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new CertificateRequest("CN=bad-role", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension(ModbusCertificateRole.Oid, [0x02, 0x01, 0x05], critical: false)); // an INTEGER
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var error = Assert.Throws<FormatException>(() => ModbusCertificateRole.Read(certificate));

        Assert.Contains(ModbusCertificateRole.Oid, error.Message, StringComparison.Ordinal);
    }

    internal static ModbusTcpOptions ClientOptions(X509Certificate2 certificate, int retryCount = 0) => new()
    {
        RetryCount = retryCount,
        RequestTimeout = TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(20),
        Tls = new ModbusTlsOptions().UseClientCertificate(certificate).TrustCertificateAuthority(Pki.Ca),
    };

    private static ModbusEndpoint Secure(ModbusTcpServer server) => server.Endpoint with { UseTls = true };

    private static async Task<ModbusTcpServer> StartTlsServerAsync(X509Certificate2 certificate, ModbusTcpServerOptions? options = null)
    {
        options ??= new ModbusTcpServerOptions();
        options.Tls = new ModbusTlsServerOptions { ServerCertificate = certificate };
        options.Tls.TrustedCertificateAuthorities.Add(Pki.Ca);
        var server = await Loopback.StartServerAsync(options);
        server.AddUnit(1, Loopback.AddressEchoUnit());
        return server;
    }

    /// <summary>
    /// Runs one read with two retries allowed, on a fake clock that never moves: a retry would wait for its delay
    /// forever, so an error within the (real) generous margin proves the request was not retried.
    /// </summary>
    private static async Task<ModbusSecurityException> FailsOnceAsync(ModbusTcpServer server, ModbusTcpOptions options)
    {
        options.RetryCount = 2;
        options.RetryDelay = TimeSpan.FromSeconds(1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = new ModbusTcpTransport(options, time);
        var read = client.ReadHoldingRegistersAsync(Secure(server), 1, 0, new ushort[1], TestContext.Current.CancellationToken).AsTask();

        var error = await Assert.ThrowsAsync<ModbusSecurityException>(() => read.WaitAsync(Generous, TestContext.Current.CancellationToken));

        Assert.False(error.IsTransient);
        return error;
    }
}
