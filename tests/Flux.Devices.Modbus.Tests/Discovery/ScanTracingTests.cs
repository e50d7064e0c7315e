using System.Diagnostics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Discovery;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Flux.Devices.Modbus.Tests.Discovery;

/// <summary>A scan is traced (one activity, one child per host) and its end logged under the discovery category.</summary>
public sealed class ScanTracingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ScanAsync_OneActivityWithTheCounts_AChildPerHost_AndALogOfTheEnd()
    {
        await using var server = await Support.Loopback.StartServerAsync();
        server.AddUnit(1, new PowerPackBessSimulator());
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
        services.AddFluxDevices().UseModbusTcp();
        await using var provider = services.BuildServiceProvider();
        var options = new DeviceScanOptions
        {
            Hosts = HostSet.Parse("127.0.0.1"),
            Ports = [server.Endpoint.Port],
            UnitIds = [1],
            MaxRequestsPerSecondPerHost = 1000,
        };
        using var recorder = new ActivityRecorder();

        var found = await provider.GetRequiredService<IDeviceScanner>().ScanAsync(options, cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Single(found);
        var scan = Assert.Single(recorder.Named(ScanActivity.Name));
        Assert.Equal(recorder.Root.SpanId, scan.ParentSpanId);
        Assert.Equal(
            (1L, 1, 1, 1L, 1L, 1L),
            (scan.GetTagItem("flux.scan.hosts"), scan.GetTagItem("flux.scan.ports"), scan.GetTagItem("flux.scan.unit_ids"),
             scan.GetTagItem("flux.scan.hosts_scanned"), scan.GetTagItem("flux.scan.hosts_answering"), scan.GetTagItem("flux.scan.found")));
        Assert.True((long)scan.GetTagItem("flux.scan.requests")! >= 1);
        Assert.Equal(ActivityStatusCode.Unset, scan.Status);
        var host = Assert.Single(recorder.Named(ScanActivity.HostName));
        Assert.Equal((ActivityKind.Client, scan.SpanId), (host.Kind, host.ParentSpanId));
        Assert.Equal(("127.0.0.1", 1), (host.GetTagItem("server.address"), host.GetTagItem("flux.scan.found")));
        var log = Assert.Single(logs.GetSnapshot(), l => l.Category == FluxDevicesDiagnostics.DiscoveryCategory && l.Id.Id == FluxEventIds.ScanFinished);
        Assert.StartsWith("Scan finished: 1 of 1 host(s) scanned, 1 device(s) found on 1 host(s)", log.Message, StringComparison.Ordinal);
    }
}
