using System.Net;
using Flux.Devices.Discovery;
using Flux.Devices.Health;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Modbus.Tests.Discovery;

/// <summary>
/// A BESS behind an RTU-over-TCP gateway (our server in RTU framing on 127.0.0.1): a scan with RTU framing finds it by
/// its template, registers it with <c>modbus_framing: rtu</c>, and the health monitor polls the template's register map
/// over RTU from that metadata.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class RtuDiscoveryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DiscoverAsync_OverRtu_RegistersTheFramingAndTheHealthMonitorPollsOverIt()
    {
        await using var gateway = new ModbusTcpServer(new ModbusTcpServerOptions { Framing = ModbusFraming.RtuOverTcp, RecordRequests = true });
        gateway.AddUnit(1, new PowerPackBessSimulator());
        await gateway.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp(o => o.RequestTimeout = TimeSpan.FromSeconds(30));
        await using var provider = services.BuildServiceProvider();
        var template = provider.GetRequiredService<DeviceTemplateLoader>().Load(SpecSamples.PowerPackTemplateAsPrinted);
        var scan = DiscoverySetup.OnePort(gateway.LocalEndPoint.Port, template) with { Framing = ModbusFraming.RtuOverTcp };
        var registration = DiscoverySetup.Registration();

        var result = Assert.Single(await provider.GetRequiredService<IDeviceDiscoveryService>().DiscoverAsync(scan, registration, Cancel).ToListAsync(Cancel));
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        await registry.FireAsync(result.Device!.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
        var templates = provider.GetRequiredService<IDeviceTemplateService>();
        await templates.CommitAsync(await templates.PlanAsync(template, DeviceFilter.Parse("type=bess,site=WLCE"), Cancel), cancellationToken: Cancel);
        var polledFrom = gateway.RecordedRequests.Count;
        var sample = Assert.Single(await provider.GetRequiredService<IDeviceHealthMonitor>().CheckAsync(cancellationToken: Cancel));

        Assert.Equal(DiscoveryOutcome.Registered, result.Outcome);
        Assert.Equal(gateway.Endpoint, result.Discovered.Endpoint);
        Assert.Equal("bess", result.Discovered.Identity?.DeviceType);
        Assert.Equal("rtu", result.Device.Metadata.GetString("modbus_framing"));
        Assert.True(sample.Status == DeviceHealthStatus.Online, sample.Diagnostics?.Error);
        Assert.Equal(new ModbusRequestRecord { UnitId = 1, FunctionCode = 3, Address = 2000, Quantity = 29 }, Assert.Single(gateway.RecordedRequests.Skip(polledFrom)) with { ConnectionId = 0, RemoteEndPoint = null }); // the template's map
    }

    [Fact]
    public async Task CheckAsync_UnknownFramingInMetadata_ReportsTheKeyAndPollsNothing()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = SpecSamples.Bess("WLCE-BESS-9");
        device = device with { Metadata = device.Metadata.With("ip_address", "127.0.0.1").With("modbus_framing", "ascii") };
        var registered = await registry.RegisterAsync(device, cancellationToken: Cancel);
        await registry.FireAsync(registered.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);

        var sample = Assert.Single(await provider.GetRequiredService<IDeviceHealthMonitor>().CheckAsync(cancellationToken: Cancel));

        Assert.NotEqual(DeviceHealthStatus.Online, sample.Status);
        Assert.Equal(HealthErrorKind.Configuration, sample.Diagnostics?.ErrorKind);
        Assert.Contains("modbus_framing", sample.Diagnostics?.Error, StringComparison.Ordinal);
    }
}
