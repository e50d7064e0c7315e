using System.Diagnostics.Metrics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Health;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace Flux.Devices.Modbus.Tests.Health;

/// <summary>The polling loop on a fake clock: schedules, isolation of stalled devices, the hosted service and the health check.</summary>
public sealed class HealthLoopTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_TenPercentStalled_EveryHealthyDeviceIsPolledExactlyOnItsPeriod()
    {
        // A stalled poll takes 4 attempts x 4 s = 16 s, longer than the 10 s period: a loop that waited for a whole
        // cycle, or shared one deadline, would make the healthy devices late.
        await using var rig = HealthRig.Create(o =>
        {
            o.DefaultPollingInterval = Period;
            o.DefaultTimeout = TimeSpan.FromSeconds(4);
            o.DefaultRetryCount = 3;
            o.RefreshInterval = TimeSpan.FromHours(1);
        });
        const int Healthy = 18, Stalled = 2;
        var stalledUnits = new List<ModbusUnit>();
        var devices = new List<Device>();
        for (var i = 0; i < Healthy + Stalled; i++)
        {
            var unit = HealthMonitorTests.Register0Unit();
            var device = await rig.AddConfiguredAsync($"WLCE-BESS-{i:00}", await rig.StartServerAsync(), 1, unit);
            devices.Add(device);
            if (i >= Healthy)
            {
                stalledUnits.Add(unit);
            }
        }

        Assert.Equal(Healthy + Stalled, (await rig.Monitor.CheckAsync(cancellationToken: Cancel)).Count); // all Active now
        await rig.Observer.NextAsync(Healthy + Stalled);
        stalledUnits.ForEach(u => u.Faults.Stall = true);
        rig.Time.Advance(Period); // the schedule keeps the grid of the first poll
        var start = rig.Time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var loop = rig.Monitor.RunAsync(stop.Token);

        // Drive the clock one second at a time for five periods, letting every due healthy poll finish at each step.
        var healthy = new Dictionary<Guid, List<DateTimeOffset>>();
        var offline = new List<DeviceHealthSample>();
        var wake = await rig.NextSleepAsync();
        Assert.Equal(start + Period, wake);
        await CollectAsync(rig, Healthy, healthy, offline); // the first round, at start
        for (var second = 1; second <= 5 * Period.TotalSeconds; second++)
        {
            rig.Time.Advance(TimeSpan.FromSeconds(1));
            if (rig.Time.GetUtcNow() >= wake)
            {
                wake = await rig.NextSleepAsync();
            }

            if (second % Period.TotalSeconds == 0)
            {
                await CollectAsync(rig, Healthy, healthy, offline);
            }
        }

        await stop.CancelAsync();
        await loop.WaitAsync(HealthRig.Patience, Cancel);

        var expected = Enumerable.Range(0, 6).Select(k => start + (k * Period)).ToList();
        Assert.Equal(Healthy, healthy.Count);
        Assert.All(healthy.Values, times => Assert.Equal(expected, times)); // lateness 0: the stalled devices cost them nothing
        Assert.NotEmpty(offline);
        Assert.All(offline, s => Assert.Equal((HealthErrorKind.Timeout, 4), (s.Diagnostics!.ErrorKind!.Value, s.Diagnostics.Attempts)));
        var offlineNotices = rig.Notifier.Sent.Where(n => n.Kind == NotificationKind.DeviceOffline).Select(n => n.DeviceName).Order();
        Assert.Equal(devices.Skip(Healthy).Select(d => d.Name), offlineNotices); // once per device, not once per poll
    }

    [Fact]
    public async Task RunAsync_DevicePutInMaintenance_IsNotPolledAgain()
    {
        await using var rig = HealthRig.Create(o =>
        {
            o.DefaultPollingInterval = Period;
            o.RefreshInterval = TimeSpan.FromHours(1);
        });
        var server = await rig.StartServerAsync();
        var device = await rig.ActivateAsync(await rig.AddConfiguredAsync("WLCE-BESS-01", server, 1, HealthMonitorTests.Register0Unit()));
        await rig.Observer.NextAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var loop = rig.Monitor.RunAsync(stop.Token);
        await rig.Observer.NextAsync(); // the loop's first poll
        await rig.NextSleepAsync();
        await rig.Services.GetRequiredService<Maintenance.IMaintenanceService>().EnterAsync(device.Id, "Firmware upgrade", cancellationToken: Cancel);
        var requests = server.RequestCount;

        rig.Time.Advance(Period);
        await rig.NextSleepAsync(); // the loop woke, skipped the device and went back to sleep
        await stop.CancelAsync();
        await loop.WaitAsync(HealthRig.Patience, Cancel);

        Assert.Equal(requests, server.RequestCount);
        Assert.Equal(2, (await rig.Store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Count);
    }

    [Fact]
    public async Task RunAsync_APollThatEndsBeforeItsNextDueTime_IsScheduledAgain()
    {
        // A's poll takes 2 s; while it runs, B (every 0.5 s) fails its test, and is probed again only after the failed
        // retry interval, so the loop goes to sleep until then and the next refresh, an hour away. When A's poll ends, the
        // loop must wake and schedule A at its own period (5 s), not sleep on.
        await using var rig = HealthRig.Create(o =>
        {
            o.RefreshInterval = TimeSpan.FromHours(1);
            o.FailedRetryInterval = TimeSpan.FromHours(1);
        });
        var slow = HealthMonitorTests.Register0Unit();
        var slowServer = await rig.StartServerAsync();
        var a = await rig.AddConfiguredAsync("A", slowServer, 1, slow);
        var b = await rig.RegisterAsync("B", (await rig.StartServerAsync()).Endpoint.Port, 1); // no unit 1 there: 0x0B
        b = await rig.Registry.FireAsync(b.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
        await SetIntervalAsync(rig, a, "5s");
        await SetIntervalAsync(rig, b, "500ms");
        slow.Faults.ResponseDelay = TimeSpan.FromSeconds(2);
        var aArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        slowServer.RequestReceived += _ => aArrived.TrySetResult();
        var start = rig.Time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var loop = rig.Monitor.RunAsync(stop.Token);
        var (failed, _) = await rig.Observer.NextAsync();
        Assert.Equal((b.Id, DeviceState.Failed), (failed.Id, failed.State));

        // A's 2 s start when its server has the request: the clock may not move before, however late the server runs.
        await aArrived.Task.WaitAsync(HealthRig.Patience, Cancel);
        await SleepUntilAsync(rig, start + TimeSpan.FromHours(1)); // B's probe and the refresh, while A is in flight
        rig.Time.Advance(TimeSpan.FromSeconds(2)); // A's reply comes
        var (polled, _) = await rig.Observer.NextAsync();
        Assert.Equal(a.Id, polled.Id);
        await SleepUntilAsync(rig, start + TimeSpan.FromSeconds(5));

        await stop.CancelAsync();
        await loop.WaitAsync(HealthRig.Patience, Cancel);
    }

    [Fact]
    public async Task RunAsync_AConfigurationWithAZeroInterval_IsPolledAtTheShortestIntervalInsteadOfStoppingTheLoop()
    {
        await using var rig = HealthRig.Create(o => o.RefreshInterval = TimeSpan.FromHours(1));
        var device = await rig.AddConfiguredAsync("A", await rig.StartServerAsync(), 1, HealthMonitorTests.Register0Unit());
        await SetIntervalAsync(rig, device, "0s");
        var start = rig.Time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var loop = rig.Monitor.RunAsync(stop.Token);

        await rig.Observer.NextAsync();
        await SleepUntilAsync(rig, start + TimeSpan.FromMilliseconds(100));

        await stop.CancelAsync();
        await loop.WaitAsync(HealthRig.Patience, Cancel);
        Assert.True(loop.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task RunAsync_Twice_IsRefused()
    {
        await using var rig = HealthRig.Create();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var loop = rig.Monitor.RunAsync(stop.Token);
        await rig.NextSleepAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => rig.Monitor.RunAsync(Cancel));

        await stop.CancelAsync();
        await loop.WaitAsync(HealthRig.Patience, Cancel);
    }

    [Fact]
    public async Task HostedService_PollsForTheLifeOfTheHost_AndWritesWhatItTook()
    {
        await using var rig = HealthRig.Create();
        var server = await rig.StartServerAsync();
        var device = await rig.AddConfiguredAsync("WLCE-BESS-01", server, 1, HealthMonitorTests.Register0Unit());
        var services = new ServiceCollection();
        services.AddFluxDevices().AddHealthMonitor();
        var hosted = Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        var service = (IHostedService)ActivatorUtilities.CreateInstance(rig.Services, hosted.ImplementationType!);

        await service.StartAsync(Cancel);
        var (polled, sample) = await rig.Observer.NextAsync();
        await rig.NextSleepAsync();
        await service.StopAsync(Cancel);

        Assert.Equal((device.Id, DeviceState.Active), (polled.Id, polled.State));
        Assert.Equal(sample, await rig.Store.GetLatestHealthAsync(device.Id, Cancel)); // flushed before the stop completed
    }

    [Fact]
    public async Task HealthCheck_ReportsTheFleetFromTheLatestPolls()
    {
        await using var rig = HealthRig.Create(o => o.DefaultRetryCount = 0);
        var server = await rig.StartServerAsync();
        var units = Enumerable.Range(1, 4).Select(_ => HealthMonitorTests.Register0Unit()).ToList();
        for (var i = 0; i < units.Count; i++)
        {
            await rig.ActivateAsync(await rig.AddConfiguredAsync($"WLCE-BESS-{i + 1}", server, (byte)(i + 1), units[i]));
        }

        var check = new FleetHealthCheck(rig.Monitor, new DeviceHealthOptions());
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("flux_devices", check, HealthStatus.Unhealthy, null) };
        var healthy = await check.CheckHealthAsync(context, Cancel);

        units[0].Faults.ExceptionCode = Transport.ModbusExceptionCode.IllegalDataAddress;
        rig.Time.Advance(TimeSpan.FromMinutes(1));
        await rig.Monitor.CheckAsync(cancellationToken: Cancel);
        var degraded = await check.CheckHealthAsync(context, Cancel);

        units[1].Faults.ExceptionCode = Transport.ModbusExceptionCode.IllegalDataAddress;
        rig.Time.Advance(TimeSpan.FromMinutes(1));
        await rig.Monitor.CheckAsync(cancellationToken: Cancel);
        var unhealthy = await check.CheckHealthAsync(context, Cancel);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal((HealthStatus.Degraded, 1, 3), (degraded.Status, (int)degraded.Data["offline"], (int)degraded.Data["online"]));
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status); // half the fleet offline
        var worst = (string[])unhealthy.Data["worst"];
        Assert.Equal(2, worst.Length);
        Assert.StartsWith("WLCE-BESS-1: offline, 2 failed poll(s) in a row", worst[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_RegisteredWithTheHealthChecksBuilder_RunsThroughTheHealthCheckService()
    {
        await using var rig = HealthRig.Create();
        var services = new ServiceCollection();
        services.AddSingleton<IDeviceHealthMonitor>(rig.Monitor);
        services.AddFluxDevices();
        services.AddLogging();
        services.AddHealthChecks().AddFluxDevices(tags: ["devices"]);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(Cancel);

        var entry = Assert.Single(report.Entries);
        Assert.Equal(("flux_devices", HealthStatus.Healthy, "No device polled yet"), (entry.Key, entry.Value.Status, entry.Value.Description));
        Assert.Equal(["devices"], entry.Value.Tags);
    }

    [Fact]
    public async Task Metrics_RecordPollDurationFailuresAndDevicesByStatus()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        await using var meters = services.BuildServiceProvider();
        var meterFactory = meters.GetRequiredService<IMeterFactory>();
        await using var rig = HealthRig.Create();
        var monitor = new DeviceHealthMonitor(
            rig.Store,
            rig.Registry,
            (rig.Services.GetRequiredService<Transport.IModbusTransport>(), false),
            new DeviceHealthOptions { DefaultRetryCount = 0 },
            rig.Services.GetRequiredService<NotificationDispatcher>(),
            [],
            rig.Time,
            meterFactory: meterFactory);
        using var duration = new MetricCollector<double>(meterFactory, FluxDevicesDiagnostics.MeterName, "flux.devices.poll.duration");
        using var failures = new MetricCollector<long>(meterFactory, FluxDevicesDiagnostics.MeterName, "flux.devices.poll.failures");
        using var byStatus = new MetricCollector<int>(meterFactory, FluxDevicesDiagnostics.MeterName, "flux.devices.health.devices");
        var server = await rig.StartServerAsync();
        await rig.AddConfiguredAsync("A", server, 1, HealthMonitorTests.Register0Unit());
        var device = await rig.RegisterAsync("B", HealthMonitorTests.ClosedPort(), 1);
        await rig.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);

        await monitor.CheckAsync(cancellationToken: Cancel);
        byStatus.RecordObservableInstruments();

        Assert.Equal(["online", "offline"], duration.GetMeasurementSnapshot().Select(m => (string)m.Tags["status"]!).Order().Reverse());
        Assert.Equal("transport", Assert.Single(failures.GetMeasurementSnapshot()).Tags["error_kind"]);
        var counts = byStatus.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["status"]!, m => m.Value);
        Assert.Equal(new Dictionary<string, int> { ["online"] = 1, ["offline"] = 1, ["degraded"] = 0 }, counts);
    }

    /// <summary>Waits until the loop goes to sleep until the given time (sleeps until other times may come first).</summary>
    private static async Task SleepUntilAsync(HealthRig rig, DateTimeOffset until)
    {
        while (await rig.NextSleepAsync() != until)
        {
        }
    }

    /// <summary>Writes a configuration block with the given polling interval into a configured device's metadata, as any tool may.</summary>
    private static async Task SetIntervalAsync(HealthRig rig, Device device, string interval)
    {
        var current = (await rig.Registry.GetAsync(device.Id, Cancel))!;
        var config = DeviceMetadata.Parse("""{"template": "hand_made", "registers": {}}""").With("polling_interval", interval);
        await rig.Registry.UpdateAsync(current.Id, current.Version, new DeviceUpdate { Metadata = current.Metadata.With("config", config) }, cancellationToken: Cancel);
    }

    /// <summary>Takes the samples of one round: every healthy device once, plus whatever stalled polls finished.</summary>
    private static async Task CollectAsync(HealthRig rig, int healthyCount, Dictionary<Guid, List<DateTimeOffset>> healthy, List<DeviceHealthSample> offline)
    {
        var seen = 0;
        while (seen < healthyCount)
        {
            var (device, sample) = await rig.Observer.NextAsync();
            if (sample.Status == DeviceHealthStatus.Offline)
            {
                offline.Add(sample);
                continue;
            }

            seen++;
            if (!healthy.TryGetValue(device.Id, out var times))
            {
                healthy[device.Id] = times = [];
            }

            times.Add(sample.Timestamp);
        }
    }
}
