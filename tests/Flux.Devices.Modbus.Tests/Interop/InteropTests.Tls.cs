using Flux.Devices.Modbus.Tests.Security;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.Interop;

/// <summary>Our client against pymodbus's Modbus/TCP Security server, with certificates the test writes as PEM files.</summary>
public sealed partial class InteropTests
{
    [Fact]
    public async Task OurClient_ReadsAPymodbusTlsServer_WithMutualAuthentication()
    {
        await WithPymodbusTlsServerAsync(async endpoint =>
        {
            await using var client = new ModbusTcpTransport(ModbusTlsTests.ClientOptions(TestPki.Instance.Client));

            var holding = new ushort[10];
            await client.ReadHoldingRegistersAsync(endpoint, 1, 5, holding, TestContext.Current.CancellationToken);
            var input = new ushort[3];
            await client.ReadInputRegistersAsync(endpoint, 1, 0, input, TestContext.Current.CancellationToken);
            await client.WriteMultipleRegistersAsync(endpoint, 1, 60, new ushort[] { 7, 8 }, TestContext.Current.CancellationToken);
            var written = new ushort[2];
            await client.ReadHoldingRegistersAsync(endpoint, 1, 60, written, TestContext.Current.CancellationToken);

            Assert.Equal(Enumerable.Range(1005, 10).Select(i => (ushort)i), holding);
            Assert.Equal(new ushort[] { 5000, 5001, 5002 }, input);
            Assert.Equal(new ushort[] { 7, 8 }, written);
        });
    }

    [Fact]
    public async Task PymodbusTlsServer_RefusesOurClientCertificateFromAnotherCa_AsCertificateRejected()
    {
        await WithPymodbusTlsServerAsync(async endpoint =>
        {
            await using var client = new ModbusTcpTransport(ModbusTlsTests.ClientOptions(TestPki.Instance.OtherCaClient));

            var error = await Assert.ThrowsAsync<ModbusSecurityException>(
                () => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1], TestContext.Current.CancellationToken).AsTask());

            Assert.Equal(ModbusSecurityFailure.CertificateRejected, error.Failure);
        });
    }

    [Fact]
    public async Task OurPlainClient_ToAPymodbusTlsServerOnPort802_IsNotTls_NotAClosedConnection()
    {
        // OpenSSL (under pymodbus) drops a client that does not start a handshake without a word: on 802, the Modbus/TCP
        // Security port, that is reported as "not TLS". The server listens on an address of its own, so port 802 is free.
        await WithPymodbusTlsServerAsync(
            async endpoint =>
            {
                var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
                await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 2, RetryDelay = TimeSpan.FromSeconds(1) }, time);

                var error = await Assert.ThrowsAsync<ModbusSecurityException>(
                    () => client.ReadHoldingRegistersAsync(endpoint with { UseTls = false }, 1, 0, new ushort[1], TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken)); // retried (a wait on the fake clock) would hang

                Assert.Equal(ModbusSecurityFailure.NotTls, error.Failure);
                Assert.Contains("mbaps://", error.Message, StringComparison.Ordinal);
            },
            new ModbusEndpoint("127.0.80.2", ModbusEndpoint.DefaultSecurePort));
    }

    /// <summary>Runs a test against pymodbus_tls_server.py with the test CA's server certificate, written to a temporary folder.</summary>
    private static async Task WithPymodbusTlsServerAsync(Func<ModbusEndpoint, Task> test, ModbusEndpoint? at = null)
    {
        var directory = Directory.CreateTempSubdirectory("flux-pymodbus-tls-");
        try
        {
            var (certificate, key) = TestPki.WritePem(TestPki.Instance.Server, directory.FullName, "server");
            var (ca, _) = TestPki.WritePem(TestPki.Instance.Ca, directory.FullName, "ca");
            await using var pymodbus = at is { } address
                ? await PymodbusServer.StartAtAsync(address, "pymodbus_tls_server.py", certificate, key, ca)
                : await PymodbusServer.StartAsync("pymodbus_tls_server.py", certificate, key, ca);
            await test(pymodbus.Endpoint with { UseTls = true });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
