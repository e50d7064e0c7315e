using Flux.Devices.Diagnostics;
using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using System.Diagnostics.Metrics;

namespace Flux.Devices.Tests.Health;

/// <summary>The sample writer: batches as the store keeps up, and what it does when the store refuses a batch.</summary>
public sealed class HealthSampleWriterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _meters;
    private readonly MetricCollector<long> _dropped;
    private readonly FakeLogger _logger = new();
    private readonly List<DeviceHealthSample[]> _calls = [];
    private readonly TaskCompletionSource _firstCall = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HealthSampleWriterTests()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        _meters = services.BuildServiceProvider();
        Meters = _meters.GetRequiredService<IMeterFactory>();
        _dropped = new MetricCollector<long>(Meters, FluxDevicesDiagnostics.MeterName, "flux.devices.health.samples_dropped");
    }

    private IMeterFactory Meters { get; }

    /// <summary>What the store does with a batch after recording it (nothing: it takes it).</summary>
    private Func<DeviceHealthSample[], ValueTask> Store { get; set; } = static _ => ValueTask.CompletedTask;

    [Fact]
    public async Task Enqueue_WhileTheStoreIsBusy_WritesWhatWaitsInBatchesOfTheBatchSize()
    {
        var writer = Writer(new DeviceHealthOptions { SampleBatchSize = 2 });
        var samples = Samples(6);

        writer.Enqueue(samples[0]);
        await _firstCall.Task.WaitAsync(FakeModbusTransport.Patience, TestContext.Current.CancellationToken); // the store is busy with it
        samples.Skip(1).ToList().ForEach(writer.Enqueue);
        _gate.SetResult();
        await writer.CompleteAsync().WaitAsync(FakeModbusTransport.Patience, TestContext.Current.CancellationToken);

        Assert.Equal([[samples[0]], [samples[1], samples[2]], [samples[3], samples[4]], [samples[5]]], Calls());
        Assert.Empty(_dropped.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Enqueue_MoreThanMayWait_DropsTheOldestAndCountsThem()
    {
        var writer = Writer(new DeviceHealthOptions { MaxPendingSamples = 2 });
        var samples = Samples(4);

        writer.Enqueue(samples[0]);
        await _firstCall.Task.WaitAsync(FakeModbusTransport.Patience, TestContext.Current.CancellationToken);
        samples.Skip(1).ToList().ForEach(writer.Enqueue);
        _gate.SetResult();
        await writer.CompleteAsync().WaitAsync(FakeModbusTransport.Patience, TestContext.Current.CancellationToken);

        Assert.Equal([[samples[0]], [samples[2], samples[3]]], Calls());
        Assert.Equal(1, _dropped.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Write_DeviceDeletedBehindTheMonitor_WritesTheOthersAndCountsItsSamplesDropped()
    {
        var gone = Guid.NewGuid();
        Store = batch => batch.Any(s => s.DeviceId == gone) ? throw new DeviceNotFoundException(gone) : ValueTask.CompletedTask;
        var writer = Writer(new DeviceHealthOptions());
        var samples = Samples(4);
        samples[2] = samples[2] with { DeviceId = gone };

        await WriteBehindTheFirstAsync(writer, samples);

        Assert.Equal([[samples[0]], [samples[1], samples[2], samples[3]], [samples[1], samples[3]]], Calls());
        Assert.Equal(1, _dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task Write_ATimestampAlreadyTaken_WritesOneByOneSoThatOnlyThatSampleIsLost()
    {
        var taken = Samples(4)[2];
        Store = batch => batch.Contains(taken) ? throw new AlreadyExistsException("timestamp", taken.Timestamp.ToString("O")) : ValueTask.CompletedTask;
        var writer = Writer(new DeviceHealthOptions());
        var samples = Samples(4);

        await WriteBehindTheFirstAsync(writer, samples);

        Assert.Equal([[samples[0]], [samples[1], samples[2], samples[3]], [samples[1]], [samples[2]], [samples[3]]], Calls());
        Assert.Equal(1, _dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(FluxEventIds.HealthWriteFailed, Assert.Single(_logger.Collector.GetSnapshot()).Id.Id);
    }

    [Fact]
    public async Task Write_StoreFails_LogsAndDropsTheBatchAndWritesTheNextOnes()
    {
        var samples = Samples(3);
        Store = batch => batch.Contains(samples[1]) ? throw new InvalidOperationException("the database is down") : ValueTask.CompletedTask;
        var writer = Writer(new DeviceHealthOptions { SampleBatchSize = 1 });

        await WriteBehindTheFirstAsync(writer, samples);

        Assert.Equal([[samples[0]], [samples[1]], [samples[2]]], Calls()); // the one after the failure is written
        Assert.Equal(1, _dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        var log = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(FluxEventIds.HealthWriteFailed, log.Id.Id);
        Assert.IsType<InvalidOperationException>(log.Exception);
    }

    [Fact]
    public async Task Enqueue_AfterCompletion_IsIgnored()
    {
        var writer = Writer(new DeviceHealthOptions());
        _gate.SetResult();
        await writer.CompleteAsync().WaitAsync(FakeModbusTransport.Patience, TestContext.Current.CancellationToken);

        writer.Enqueue(Samples(1)[0]);

        Assert.Empty(Calls());
    }

    public void Dispose()
    {
        _dropped.Dispose();
        _meters.Dispose();
    }

    /// <summary>Holds the store on a first sample while the others queue up behind it, so that they make one batch; then completes the writer.</summary>
    private async Task WriteBehindTheFirstAsync(HealthSampleWriter writer, DeviceHealthSample[] samples)
    {
        writer.Enqueue(samples[0]);
        await _firstCall.Task.WaitAsync(FakeModbusTransport.Patience, TestContext.Current.CancellationToken);
        foreach (var sample in samples.Skip(1))
        {
            writer.Enqueue(sample);
        }

        _gate.SetResult();
        await writer.CompleteAsync().WaitAsync(FakeModbusTransport.Patience, TestContext.Current.CancellationToken);
    }

    private HealthSampleWriter Writer(DeviceHealthOptions options) =>
        new(AppendAsync, options, new HealthMetrics(Meters, () => new int[3]), _logger);

    private async ValueTask AppendAsync(IReadOnlyList<DeviceHealthSample> batch, CancellationToken cancellationToken)
    {
        DeviceHealthSample[] copy = [.. batch];
        bool first;
        lock (_calls)
        {
            _calls.Add(copy);
            first = _calls.Count == 1;
        }

        if (first)
        {
            _firstCall.SetResult();
            await _gate.Task;
        }

        await Store(copy);
    }

    private DeviceHealthSample[][] Calls()
    {
        lock (_calls)
        {
            return [.. _calls];
        }
    }

    private static DeviceHealthSample[] Samples(int count)
    {
        var device = new Guid("00000000-0000-0000-0000-00000000000a");
        return [.. Enumerable.Range(0, count).Select(i => new DeviceHealthSample { DeviceId = device, Timestamp = Start.AddSeconds(i), Status = DeviceHealthStatus.Online })];
    }
}
