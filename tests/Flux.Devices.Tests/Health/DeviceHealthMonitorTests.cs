using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Flux.Devices.Diagnostics;
using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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

    [Fact]
    public async Task RunAsync_AFailedDevice_IsProbedOnADoublingBackoffUpToTheMaximum_AndComesBackThroughTestingWhenItAnswers()
    {
        var device = await AddConfiguredAsync("WLCE-BESS-01");
        var start = Time.GetUtcNow();
        var refused = new ModbusTransportException(new ModbusEndpoint(HealthTestDevices.Host, HealthTestDevices.Port), "connection refused");
        Transport.Reply = FakeModbusTransport.Throw(refused);
        var telemetry = _services.GetRequiredService<Flux.Devices.Telemetry.IDeviceTelemetry>();
        var check = new FleetHealthCheck(Monitor, new DeviceHealthOptions());
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("flux_devices", check, HealthStatus.Unhealthy, null) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var run = Monitor.RunAsync(stop.Token);
        var (failed, _) = await NextSampleAsync(); // tested by its first poll, which fails
        var probes = new List<(TimeSpan At, DeviceState State, int Errors)>();
        foreach (var at in new[] { 5, 15, 35, 60 + 15, 60 + 75 }) // 5, 10, 20 and 40 minutes, then the hour the wait stops at
        {
            await AdvanceToAsync(start.AddMinutes(at), start); // the list is read again at 60 minutes: the Failed device stays
            var (probed, sample) = await NextSampleAsync();
            probes.Add((sample.Timestamp - start, probed.State, sample.ErrorCount));
        }

        var whileFailed = await check.CheckHealthAsync(context, Cancel);
        Transport.Reply = static (_, _) => Task.CompletedTask;
        await AdvanceToAsync(start.AddMinutes(60 + 75 + 60), start);
        var (back, answered) = await NextSampleAsync();
        var readingsAfterTheProbe = telemetry.GetLatest(device.Id);
        var afterwards = await check.CheckHealthAsync(context, Cancel);
        await AdvanceToAsync(start.AddMinutes(60 + 75 + 60).AddSeconds(10), start);
        await NextSampleAsync();
        var readingsWhenActive = telemetry.GetLatest(device.Id);
        await stop.CancelAsync();
        await run.WaitAsync(Patience, Cancel);

        Assert.Equal(DeviceState.Failed, failed.State);
        Assert.Equal(
            [(TimeSpan.FromMinutes(5), DeviceState.Failed, 2), (TimeSpan.FromMinutes(15), DeviceState.Failed, 3), (TimeSpan.FromMinutes(35), DeviceState.Failed, 4), (TimeSpan.FromMinutes(75), DeviceState.Failed, 5), (TimeSpan.FromMinutes(135), DeviceState.Failed, 6)],
            probes);
        Assert.Equal((HealthStatus.Unhealthy, 1, 0), (whileFailed.Status, (int)whileFailed.Data["failed"], (int)whileFailed.Data["offline"]));
        Assert.StartsWith("WLCE-BESS-01: failed, 6 failed poll(s) in a row", Assert.Single((string[])whileFailed.Data["worst"]), StringComparison.Ordinal);
        Assert.Equal((DeviceState.Active, DeviceHealthStatus.Online, TimeSpan.FromMinutes(195)), (back.State, answered.Status, answered.Timestamp - start));
        Assert.Empty(readingsAfterTheProbe); // the probe of a Failed device gives no telemetry
        Assert.NotEmpty(readingsWhenActive); // the next poll, of the Active device, does
        Assert.Equal(HealthStatus.Healthy, afterwards.Status);
        var moves = (await Registry.GetHistoryAsync(device.Id, Cancel)).Where(e => e.Trigger is not null).TakeLast(3).ToList();
        Assert.Equal(
            [(DeviceState.Testing, DeviceState.Failed, DeviceTrigger.PollFailed), (DeviceState.Failed, DeviceState.Testing, DeviceTrigger.Retry), (DeviceState.Testing, DeviceState.Active, DeviceTrigger.PollSucceeded)],
            moves.Select(e => (e.FromState!.Value, e.ToState, e.Trigger!.Value)));
        Assert.Equal(("health-monitor", "Failed device answered a probe in 0 ms"), (moves[1].Actor, moves[1].Reason));
        Assert.Contains(Notifier.Sent, n => n.Kind == Flux.Devices.Notifications.NotificationKind.DeviceRecovered && n.DeviceId == device.Id);
    }

    [Fact]
    public async Task CheckAsync_AFailedDevice_IsProbed_AndStaysFailedWhileItDoesNotAnswer()
    {
        var device = await AddConfiguredAsync("WLCE-BESS-01");
        Transport.Reply = FakeModbusTransport.Throw(new ModbusTransportException(new ModbusEndpoint(HealthTestDevices.Host, HealthTestDevices.Port), "connection refused"));
        await Monitor.CheckAsync(cancellationToken: Cancel);
        var reads = Transport.Reads.Count;

        var probe = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal((device.Id, DeviceHealthStatus.Offline, 2), (probe.DeviceId, probe.Status, probe.ErrorCount));
        Assert.True(Transport.Reads.Count > reads);
        Assert.Equal(DeviceState.Failed, (await Store.GetAsync(device.Id, Cancel))!.State);
        Assert.Equal(DeviceState.Failed, Assert.Single(Monitor.GetLatest()).State);
        Assert.DoesNotContain(await Registry.GetHistoryAsync(device.Id, Cancel), e => e.Trigger == DeviceTrigger.Retry);
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

    /// <summary>
    /// Waits for the loop to sleep until a time, then moves the clock there; on the way, moves it to each reading of the
    /// device list the loop sleeps until (every <see cref="DeviceHealthOptions.RefreshInterval"/>, an hour here, from <paramref name="start"/>).
    /// </summary>
    private async Task AdvanceToAsync(DateTimeOffset until, DateTimeOffset start)
    {
        while (true)
        {
            var sleep = await NextSleepAsync();
            var refresh = sleep > Time.GetUtcNow() && sleep < until && (sleep - start).Ticks % TimeSpan.TicksPerHour == 0;
            if (sleep == until || refresh)
            {
                Time.Advance(sleep - Time.GetUtcNow());
            }

            if (sleep == until)
            {
                return;
            }
        }
    }

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
