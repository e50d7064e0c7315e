using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Flux.Devices.Diagnostics;
using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Health;

/// <summary>The monitor as the container builds it, over the fake transport: the loop's start and stop, on-demand checks, observers and traces.</summary>
public sealed class DeviceHealthMonitorTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = FakeModbusTransport.Patience;

    private readonly ServiceProvider _services;
    private readonly Channel<DateTimeOffset> _sleeps = Channel.CreateUnbounded<DateTimeOffset>();
    private readonly Channel<(Device Device, DeviceHealthSample Sample)> _sampled = Channel.CreateUnbounded<(Device, DeviceHealthSample)>();

    public DeviceHealthMonitorTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace));
        services.AddFluxDevices()
            .UseTransport(_ => Transport)
            .AddNotifier(Notifier)
            .AddHealthObserver(new Observer(this));
        services.Configure<DeviceHealthOptions>(o =>
        {
            o.DefaultPollingInterval = TimeSpan.FromSeconds(10);
            o.RefreshInterval = TimeSpan.FromHours(1);
        });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Monitor = (DeviceHealthMonitor)_services.GetRequiredService<IDeviceHealthMonitor>();
        Monitor.Sleeping = until => _sleeps.Writer.TryWrite(until);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    private FakeLogCollector Logs { get; } = new();

    private FakeModbusTransport Transport { get; } = new();

    private RecordingNotifier Notifier { get; } = new();

    private DeviceHealthMonitor Monitor { get; }

    private IDeviceRegistry Registry => _services.GetRequiredService<IDeviceRegistry>();

    private IDeviceStore Store => _services.GetRequiredService<IDeviceStore>();

    /// <summary>Throws on every sample when set.</summary>
    private Exception? ObserverFailure { get; set; }

    [Fact]
    public async Task RunAsync_PollsUntilStopped_ThenWritesWhatItTookBeforeReturning()
    {
        var device = await AddConfiguredAsync("WLCE-BESS-01");
        var start = Time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var run = Monitor.RunAsync(stop.Token);
        var (first, _) = await NextSampleAsync();
        await SleepUntilAsync(start.AddSeconds(10));
        Time.Advance(TimeSpan.FromSeconds(10));
        var (_, second) = await NextSampleAsync();
        await stop.CancelAsync();
        await run.WaitAsync(Patience, Cancel);

        Assert.Equal((device.Id, DeviceState.Active), (first.Id, first.State)); // tested and activated by its first poll
        Assert.Equal(start.AddSeconds(10), second.Timestamp);
        Assert.Equal(2, (await Store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Count);
        Assert.Equal(second, await Store.GetLatestHealthAsync(device.Id, Cancel));
        Assert.Equal(DeviceHealthStatus.Online, Assert.Single(Monitor.GetLatest()).Sample.Status);
    }

    [Fact]
    public async Task RunAsync_WhileRunning_IsRefused_AndAfterAStopRunsAgain()
    {
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel))
        {
            var run = Monitor.RunAsync(stop.Token);
            await NextSleepAsync();

            await Assert.ThrowsAsync<InvalidOperationException>(() => Monitor.RunAsync(Cancel));

            await stop.CancelAsync();
            await run.WaitAsync(Patience, Cancel);
        }

        using var again = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var rerun = Monitor.RunAsync(again.Token);
        await NextSleepAsync();
        await again.CancelAsync();
        await rerun.WaitAsync(Patience, Cancel);
        Assert.True(rerun.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task CheckAsync_PollsEachDeviceOnce_WritesTheSamplesAndKeepsTheLatestByName()
    {
        var answering = await AddConfiguredAsync("B", unitId: 1);
        var silent = await AddConfiguredAsync("A", unitId: 2);
        Transport.Reply = (read, _) => read.UnitId == 2 ? Task.FromException(new ModbusTransportException(read.Endpoint, "connection reset")) : Task.CompletedTask;

        var samples = await Monitor.CheckAsync(cancellationToken: Cancel);

        Assert.Equal(2, samples.Count);
        foreach (var sample in samples)
        {
            Assert.Equal(sample, await Store.GetLatestHealthAsync(sample.DeviceId, Cancel));
        }

        var latest = Monitor.GetLatest();
        Assert.Equal([("A", DeviceState.Failed, DeviceHealthStatus.Offline), ("B", DeviceState.Active, DeviceHealthStatus.Online)], latest.Select(h => (h.DeviceName, h.State, h.Sample.Status)));
        Assert.Equal([silent.Id, answering.Id], latest.Select(h => h.DeviceId));
    }

    [Fact]
    public async Task CheckAsync_AnObserverThrows_IsLoggedAndTheSampleStands()
    {
        var device = await AddConfiguredAsync("WLCE-BESS-01");
        ObserverFailure = new InvalidOperationException("dashboard down");

        var sample = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal(sample, await Store.GetLatestHealthAsync(device.Id, Cancel));
        var log = Assert.Single(Logs.GetSnapshot(), l => l.Id.Id == FluxEventIds.HealthObserverFailed);
        Assert.Same(ObserverFailure, log.Exception);
    }

    [Fact]
    public async Task CheckAsync_TracesEachPollAsAClientActivityWithTheDeviceItsServerAndTheOutcome()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FluxDevicesDiagnostics.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var online = await AddConfiguredAsync("A", unitId: 1);
        var offline = await AddConfiguredAsync("B", unitId: 2);
        var nowhere = await Registry.RegisterAsync(SpecSamples.Bess("C"), cancellationToken: Cancel); // no ip_address
        await Registry.FireAsync(nowhere.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
        var refused = new ModbusTransportException(new ModbusEndpoint(HealthTestDevices.Host, HealthTestDevices.Port), "connection refused");
        Transport.Reply = (read, _) => read.UnitId == 2 ? Task.FromException(refused) : Task.CompletedTask;

        await Monitor.CheckAsync(cancellationToken: Cancel);

        // Listeners are process-wide: only this test's devices count.
        var ids = new[] { online.Id, offline.Id, nowhere.Id }.Select(id => id.ToString()).ToHashSet();
        var polls = stopped
            .Where(a => a.OperationName == "flux.devices.poll" && a.GetTagItem("flux.device.id") is string id && ids.Contains(id))
            .ToDictionary(a => (string)a.GetTagItem("flux.device.name")!);
        Assert.Equal(["A", "B", "C"], polls.Keys.Order());
        Assert.All(polls.Values, a => Assert.Equal(ActivityKind.Client, a.Kind));

        var a = polls["A"];
        Assert.Equal((online.Id.ToString(), HealthTestDevices.Host, HealthTestDevices.Port), ((string)a.GetTagItem("flux.device.id")!, (string)a.GetTagItem("server.address")!, (int)a.GetTagItem("server.port")!));
        Assert.Equal(("online", 1, ActivityStatusCode.Unset), ((string)a.GetTagItem("flux.device.poll.outcome")!, (int)a.GetTagItem("flux.device.poll.attempts")!, a.Status));

        var b = polls["B"];
        Assert.Equal(("offline", ActivityStatusCode.Error), ((string)b.GetTagItem("flux.device.poll.outcome")!, b.Status));
        Assert.Equal(typeof(ModbusTransportException).FullName, b.GetTagItem("error.type"));

        var c = polls["C"];
        Assert.Equal(("offline", "configuration", ActivityStatusCode.Error), ((string)c.GetTagItem("flux.device.poll.outcome")!, (string)c.GetTagItem("error.type")!, c.Status));
        Assert.Null(c.GetTagItem("server.address"));
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private async Task<Device> AddConfiguredAsync(string name, byte unitId = 1)
    {
        var device = await Registry.RegisterAsync(HealthTestDevices.Registration(name, unitId), cancellationToken: Cancel);
        return await Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
    }

    private async Task<(Device Device, DeviceHealthSample Sample)> NextSampleAsync() =>
        await _sampled.Reader.ReadAsync(Cancel).AsTask().WaitAsync(Patience, Cancel);

    private async Task<DateTimeOffset> NextSleepAsync() =>
        await _sleeps.Reader.ReadAsync(Cancel).AsTask().WaitAsync(Patience, Cancel);

    private async Task SleepUntilAsync(DateTimeOffset until)
    {
        while (await NextSleepAsync() != until)
        {
        }
    }

    /// <summary>Passes every sample to the test, or throws when the test says so.</summary>
    private sealed class Observer(DeviceHealthMonitorTests test) : IDeviceHealthObserver
    {
        public ValueTask OnSampledAsync(Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
        {
            if (test.ObserverFailure is { } failure)
            {
                throw failure;
            }

            test._sampled.Writer.TryWrite((device, sample));
            return ValueTask.CompletedTask;
        }
    }
}
