using System.Diagnostics.Metrics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Telemetry;
using Flux.Devices.Telemetry.Internal;
using Flux.Devices.Tests.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace Flux.Devices.Tests.Telemetry;

/// <summary>The telemetry writer: batches as the store keeps up, drop-oldest when it falls behind, and what it does when the store refuses a batch.</summary>
public sealed class TelemetryWriterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _meters;
    private readonly MetricCollector<long> _dropped;
    private readonly FakeLogger _logger = new();
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TelemetryWriterTests()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        _meters = services.BuildServiceProvider();
        Telemetry = new DeviceTelemetry(_meters.GetRequiredService<IMeterFactory>());
        _dropped = new MetricCollector<long>(_meters.GetRequiredService<IMeterFactory>(), FluxDevicesDiagnostics.MeterName, "flux.devices.telemetry.readings_dropped");
    }

    private DeviceTelemetry Telemetry { get; }

    private ListTelemetryStore Store { get; } = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Enqueue_WhileTheStoreIsBusy_WritesWhatWaitsInBatches_AndMoreThanMayWaitDropsTheOldest()
    {
        Store.Gate = _gate.Task;
        var writer = new TelemetryWriter(Store, batchSize: 2, capacity: 3, Telemetry, _logger);
        var readings = Readings(Guid.NewGuid(), 6);

        writer.Enqueue(readings[0]);
        await Store.Entered.WaitAsync(FakeModbusTransport.Patience, Cancel); // the store is busy with it
        readings.Skip(1).ToList().ForEach(writer.Enqueue); // 5 for 3 places: the oldest 2 go
        _gate.SetResult();
        await writer.CompleteAsync().WaitAsync(FakeModbusTransport.Patience, Cancel);

        Assert.Equal([[readings[0]], [readings[3], readings[4]], [readings[5]]], Store.Batches);
        Assert.Equal(2, _dropped.GetMeasurementSnapshot().Where(m => m.Tags["reason"] as string == "store").Sum(m => m.Value));
    }

    [Fact]
    public async Task Write_DeviceDeletedBehindTheMonitor_WritesTheOthers_AndCountsItsReadingsDropped()
    {
        var gone = Guid.NewGuid();
        var kept = Guid.NewGuid();
        Store.Failure = batch => batch.Any(r => r.DeviceId == gone) ? new DeviceNotFoundException(gone) : null;
        var writer = new TelemetryWriter(Store, batchSize: 100, capacity: 100, Telemetry, _logger);

        Store.Gate = _gate.Task;
        foreach (var reading in Readings(kept, 2).Concat(Readings(gone, 3)))
        {
            writer.Enqueue(reading);
        }

        _gate.SetResult();
        await writer.CompleteAsync().WaitAsync(FakeModbusTransport.Patience, Cancel);

        Assert.All(Store.Readings, r => Assert.Equal(kept, r.DeviceId));
        Assert.Equal(2, Store.Readings.Count);
        Assert.Equal(3, _dropped.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Write_TheStoreFails_LogsAndDropsTheBatch_AndGoesOn()
    {
        var calls = 0;
        Store.Failure = _ => Interlocked.Increment(ref calls) == 1 ? new InvalidOperationException("disk full") : null;
        Store.Gate = _gate.Task;
        var writer = new TelemetryWriter(Store, batchSize: 100, capacity: 100, Telemetry, _logger);
        var readings = Readings(Guid.NewGuid(), 2);

        writer.Enqueue(readings[0]);
        await Store.Entered.WaitAsync(FakeModbusTransport.Patience, Cancel);
        writer.Enqueue(readings[1]);
        _gate.SetResult();
        await writer.CompleteAsync().WaitAsync(FakeModbusTransport.Patience, Cancel);

        Assert.Equal([readings[1]], Store.Readings);
        Assert.Equal(1, _dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(FluxEventIds.TelemetryWriteFailed, Assert.Single(_logger.Collector.GetSnapshot()).Id.Id);
    }

    public void Dispose()
    {
        _dropped.Dispose();
        _meters.Dispose();
    }

    private static List<TelemetryReading> Readings(Guid deviceId, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new TelemetryReading { DeviceId = deviceId, Point = "soe", Value = i, Unit = "kWh", Timestamp = Start.AddSeconds(i) })];
}
