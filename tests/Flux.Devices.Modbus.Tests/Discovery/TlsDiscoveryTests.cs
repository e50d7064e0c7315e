using System.Net;
using Flux.Devices.Discovery;
using Flux.Devices.Modbus.Security;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Modbus.Tests.Discovery;

/// <summary>
/// A BESS behind Modbus/TCP Security (our server with TLS on 127.0.0.1, the test PKI): a scan over TLS finds it by its
/// template and registers it with <c>modbus_tls: true</c>; a scan over TLS with RTU framing is refused up front.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class TlsDiscoveryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DiscoverAsync_OverTls_RegistersModbusTls()
    {
        var pki = TestPki.Instance;
        var serverOptions = new ModbusTcpServerOptions { RecordRequests = true, Tls = new ModbusTlsServerOptions { ServerCertificate = pki.Server } };
        serverOptions.Tls.TrustedCertificateAuthorities.Add(pki.Ca);
        await using var server = new ModbusTcpServer(serverOptions);
        server.AddUnit(1, new PowerPackBessSimulator());
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(30);
            o.Tls = new ModbusTlsOptions().UseClientCertificate(pki.Client).TrustCertificateAuthority(pki.Ca);
        });
        await using var provider = services.BuildServiceProvider();
        var template = provider.GetRequiredService<DeviceTemplateLoader>().Load(SpecSamples.PowerPackTemplateAsPrinted);
        var scan = DiscoverySetup.OnePort(server.LocalEndPoint.Port, template) with { UseTls = true };
        var registration = DiscoverySetup.Registration();

        var result = Assert.Single(await provider.GetRequiredService<IDeviceDiscoveryService>().DiscoverAsync(scan, registration, Cancel).ToListAsync(Cancel));

        Assert.Equal(DiscoveryOutcome.Registered, result.Outcome);
        Assert.Equal(server.Endpoint with { UseTls = true }, result.Discovered.Endpoint);
        Assert.Equal("bess", result.Discovered.Identity?.DeviceType);
        Assert.True(result.Device!.Metadata.TryGetValue("modbus_tls", out var tls));
        Assert.Equal(System.Text.Json.JsonValueKind.True, tls.ValueKind);
        Assert.Null(result.Device.Metadata.GetString("modbus_framing"));
        Assert.True(result.Device.Metadata.TryGetValue("port", out var port));
        Assert.Equal(server.LocalEndPoint.Port, port.GetInt32());
        Assert.NotEqual(0, server.RequestCount);
    }

    [Fact]
    public async Task ScanAsync_ServerCertificateFromAnotherAuthority_ReportsTheEndpointRefusedNotAnEmptyPort()
    {
        var pki = TestPki.Instance;
        await using var server = await StartTlsServerAsync(pki);
        await using var provider = Provider(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(30);
            o.Tls = new ModbusTlsOptions().UseClientCertificate(pki.Client).TrustCertificateAuthority(pki.OtherCa);
        });
        var progress = new LatestProgress();
        var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.1"), Ports = [server.LocalEndPoint.Port], UnitIds = [1, 2], UseTls = true };

        var found = await provider.GetRequiredService<IDeviceScanner>().ScanAsync(scan, progress, Cancel).ToListAsync(Cancel);

        Assert.Empty(found);
        Assert.Equal(1, progress.Latest.EndpointsRefused);
        Assert.Contains($"127.0.0.1:{server.LocalEndPoint.Port}", progress.Latest.LastRefusal, StringComparison.Ordinal);
        Assert.Contains("trust", progress.Latest.LastRefusal, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ScanAsync_ClientCertificateTheServerRefuses_ReportsTheEndpointRefused()
    {
        var pki = TestPki.Instance;
        await using var server = await StartTlsServerAsync(pki);
        await using var provider = Provider(o =>
        {
            o.RequestTimeout = TimeSpan.FromSeconds(30);
            o.Tls = new ModbusTlsOptions().UseClientCertificate(pki.OtherCaClient).TrustCertificateAuthority(pki.Ca);
        });
        var progress = new LatestProgress();
        var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.1"), Ports = [server.LocalEndPoint.Port], UnitIds = [1, 2], UseTls = true };

        var found = await provider.GetRequiredService<IDeviceScanner>().ScanAsync(scan, progress, Cancel).ToListAsync(Cancel);

        Assert.Empty(found);
        Assert.Equal(1, progress.Latest.EndpointsRefused);
        Assert.NotNull(progress.Latest.LastRefusal);
    }

    [Fact]
    public async Task ScanAsync_PlainEverywhere_ReportsNoRefusal()
    {
        await using var server = new ModbusTcpServer();
        server.AddUnit(1, new PowerPackBessSimulator());
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        await using var provider = Provider(o => o.RequestTimeout = TimeSpan.FromSeconds(30));
        var progress = new LatestProgress();
        var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.1"), Ports = [server.LocalEndPoint.Port], UnitIds = [1] };

        var found = await provider.GetRequiredService<IDeviceScanner>().ScanAsync(scan, progress, Cancel).ToListAsync(Cancel);

        Assert.Single(found);
        Assert.Equal(0, progress.Latest.EndpointsRefused);
        Assert.Null(progress.Latest.LastRefusal);
    }

    private static async Task<ModbusTcpServer> StartTlsServerAsync(TestPki pki)
    {
        var options = new ModbusTcpServerOptions { Tls = new ModbusTlsServerOptions { ServerCertificate = pki.Server } };
        options.Tls.TrustedCertificateAuthorities.Add(pki.Ca);
        var server = new ModbusTcpServer(options);
        server.AddUnit(1, new PowerPackBessSimulator());
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        return server;
    }

    private static ServiceProvider Provider(Action<ModbusTcpOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp(configure);
        return services.BuildServiceProvider();
    }

    /// <summary>Keeps the progress report with the most hosts done (reports are synchronous here: the IProgress is ours).</summary>
    private sealed class LatestProgress : IProgress<ScanProgress>
    {
        private readonly Lock _gate = new();
        private ScanProgress _latest;

        public ScanProgress Latest
        {
            get
            {
                lock (_gate)
                {
                    return _latest;
                }
            }
        }

        public void Report(ScanProgress value)
        {
            lock (_gate)
            {
                if (value.HostsScanned >= _latest.HostsScanned)
                {
                    _latest = value;
                }
            }
        }
    }

    [Fact]
    public async Task ScanAsync_TlsWithRtuFraming_IsRefusedNamingBothOptions()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp();
        await using var provider = services.BuildServiceProvider();
        var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.1/32"), UseTls = true, Framing = ModbusFraming.RtuOverTcp };

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await provider.GetRequiredService<IDeviceScanner>().ScanAsync(scan, cancellationToken: Cancel).ToListAsync(Cancel));

        Assert.Equal("UseTls", error.ParamName);
        Assert.Contains("Framing", error.Message, StringComparison.Ordinal);
        Assert.Contains("RtuOverTcp", error.Message, StringComparison.Ordinal);
    }
}
