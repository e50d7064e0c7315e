using System.Diagnostics.Metrics;
using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Flux.Devices.Maintenance;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Telemetry.Internal;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Health;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Telemetry;

/// <summary>
/// Telemetry as the container builds it, over the fake transport (a register's value is its address): decoding of an
/// Active device's poll, the states that produce none, Stale readings, subscriptions and the store.
/// </summary>
public sealed class DeviceTelemetryTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = FakeModbusTransport.Patience;
    private static readonly DeviceTemplateLoader Loader = new(BuiltInRegisterMaps.Provider);

    private readonly ServiceProvider _services;

    public DeviceTelemetryTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddMetrics();
        services.AddSingleton<ITelemetryStore>(Store);
        services.AddFluxDevices().UseTransport(_ => Transport);
        services.Configure<DeviceHealthOptions>(o => o.RefreshInterval = TimeSpan.FromHours(1));
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    private FakeModbusTransport Transport { get; } = new();

    private ListTelemetryStore Store { get; } = new();

    private IDeviceHealthMonitor Monitor => _services.GetRequiredService<IDeviceHealthMonitor>();

    private IDeviceTelemetry Telemetry => _services.GetRequiredService<IDeviceTelemetry>();

    private IDeviceRegistry Registry => _services.GetRequiredService<IDeviceRegistry>();

    /// <summary>soe is the uint32 of registers 2026 and 2027 (their addresses, as the fake answers) in Wh, × 0.001 to kWh.</summary>
    private static double ExpectedSoe => ((2026 * 65536.0) + 2027) * 0.001;

    [Fact]
    public async Task CheckAsync_OfAnActiveBess_DecodesEveryPointWithItsScaleUnitQualityAndThePollsTime()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01");

        var sample = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));

        var latest = Telemetry.GetLatest(device.Id).ToDictionary(r => r.Point);
        Assert.Equal(["status", "target_power", "soe", "available_blocks"], Telemetry.GetLatest(device.Id).Select(r => r.Point));
        Assert.Equal(ExpectedSoe, latest["soe"].Value!.Value, 6);
        Assert.Equal("kWh", latest["soe"].Unit);
        Assert.Equal((2008.0, "kW"), (latest["target_power"].Value, latest["target_power"].Unit));
        Assert.Equal(2000.0, latest["status"].Value);
        Assert.Equal(2028.0, latest["available_blocks"].Value);
        Assert.All(latest.Values, r => Assert.Equal((device.Id, TelemetryQuality.Good, sample.Timestamp), (r.DeviceId, r.Quality, r.Timestamp)));
        Assert.Equal(latest.Values.OrderBy(r => r.Point), Store.Readings.OrderBy(r => r.Point));
    }

    [Fact]
    public async Task APollOfADeviceInTesting_IsForHealthOnly_TelemetryStartsWithTheFirstPollOnceActive()
    {
        var device = await AddBessAsync("WLCE-BESS-01", DeviceTrigger.DeployConfig);

        var first = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel)); // Configured -> Testing -> Active
        var afterTest = Telemetry.GetLatest(device.Id);
        Time.Advance(TimeSpan.FromSeconds(60));
        var second = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal(DeviceHealthStatus.Online, first.Status);
        Assert.Equal(DeviceState.Active, (await Registry.GetAsync(device.Id, cancellationToken: Cancel))!.State);
        Assert.Empty(afterTest);
        Assert.All(Telemetry.GetLatest(device.Id), r => Assert.Equal(second.Timestamp, r.Timestamp));
        Assert.Equal(4, Store.Readings.Count);
    }

    [Fact]
    public async Task AFailedPoll_TurnsTheLatestReadingsStale_KeepingTheirValuesAndTime_AndStoresNothing()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01");
        var good = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));
        Transport.Reply = FakeModbusTransport.Throw(new ModbusTransportException(new ModbusEndpoint(HealthTestDevices.Host, HealthTestDevices.Port), "connection reset"));
        Time.Advance(TimeSpan.FromSeconds(60));

        var failed = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal(DeviceHealthStatus.Offline, failed.Status);
        var latest = Telemetry.GetLatest(device.Id);
        Assert.Equal(4, latest.Count);
        Assert.All(latest, r => Assert.Equal((TelemetryQuality.Stale, good.Timestamp), (r.Quality, r.Timestamp)));
        Assert.Equal(ExpectedSoe, latest.Single(r => r.Point == "soe").Value!.Value, 6);
        Assert.Equal(4, Store.Readings.Count); // the good poll's only
    }

    [Fact]
    public async Task Maintenance_TurnsTheReadingsStaleAtOnce_AndItsPollsGiveNone()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01");
        await Monitor.CheckAsync(cancellationToken: Cancel);

        await _services.GetRequiredService<IMaintenanceService>().EnterAsync(device.Id, "Firmware upgrade", cancellationToken: Cancel);
        var stale = Telemetry.GetLatest(device.Id);
        var reads = Transport.Reads.Count;
        Time.Advance(TimeSpan.FromSeconds(60));
        var samples = await Monitor.CheckAsync(cancellationToken: Cancel);

        Assert.All(stale, r => Assert.Equal(TelemetryQuality.Stale, r.Quality));
        Assert.Equal(4, stale.Count);
        Assert.Empty(samples);
        Assert.Equal(reads, Transport.Reads.Count);
        Assert.Equal(4, Store.Readings.Count);
    }

    [Fact]
    public async Task APollInFlightWhenTheDeviceEntersMaintenance_DoesNotMakeItsReadingsGoodAgain()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01");
        await Monitor.CheckAsync(cancellationToken: Cancel);
        await Transport.NextReadAsync(); // the first poll's
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Transport.Reply = (_, token) => answer.Task.WaitAsync(token);
        Time.Advance(TimeSpan.FromSeconds(60));

        var check = Monitor.CheckAsync(cancellationToken: Cancel).AsTask();
        await Transport.NextReadAsync(); // the poll is on its way
        await _services.GetRequiredService<IMaintenanceService>().EnterAsync(device.Id, "Firmware upgrade", cancellationToken: Cancel);
        answer.SetResult();
        var sample = Assert.Single(await check.WaitAsync(Patience, Cancel));

        Assert.Equal(DeviceHealthStatus.Online, sample.Status);
        Assert.All(Telemetry.GetLatest(device.Id), r => Assert.Equal(TelemetryQuality.Stale, r.Quality));
        Assert.Equal(4, Store.Readings.Count); // the first poll's only
    }

    [Fact]
    public async Task AfterMaintenance_TheTestPollGivesNoReadings_AndTheNextActivePollDoes()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01");
        await Monitor.CheckAsync(cancellationToken: Cancel);
        var maintenance = _services.GetRequiredService<IMaintenanceService>();
        await maintenance.EnterAsync(device.Id, "Firmware upgrade", cancellationToken: Cancel);
        await maintenance.ExitAsync(device.Id, cancellationToken: Cancel); // Testing

        Time.Advance(TimeSpan.FromSeconds(60));
        await Monitor.CheckAsync(cancellationToken: Cancel); // the test poll: Testing -> Active
        var afterTest = Telemetry.GetLatest(device.Id);
        Time.Advance(TimeSpan.FromSeconds(60));
        var active = Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.All(afterTest, r => Assert.Equal(TelemetryQuality.Stale, r.Quality));
        Assert.All(Telemetry.GetLatest(device.Id), r => Assert.Equal((TelemetryQuality.Good, active.Timestamp), (r.Quality, r.Timestamp)));
        Assert.Equal(8, Store.Readings.Count);
    }

    [Fact]
    public async Task ADevicePutInMaintenanceByAnotherProcess_TurnsStale_WhenTheLoopNextLooksAtIt()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01");
        var sleeps = System.Threading.Channels.Channel.CreateUnbounded<DateTimeOffset>();
        ((DeviceHealthMonitor)Monitor).Sleeping = until => sleeps.Writer.TryWrite(until);
        var other = new ServiceCollection();
        other.AddSingleton<TimeProvider>(Time);
        other.AddFluxDevices().UseStore(_services.GetRequiredService<IDeviceStore>());
        await using var otherProcess = other.BuildServiceProvider();
        using var subscription = Telemetry.Subscribe(new TelemetrySubscriptionOptions { Points = ["soe"] });
        await using var readings = subscription.GetAsyncEnumerator(Cancel);
        var start = Time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var run = Monitor.RunAsync(stop.Token);
        Assert.True(await readings.MoveNextAsync().AsTask().WaitAsync(Patience, Cancel));
        var good = readings.Current;
        while (await sleeps.Reader.ReadAsync(Cancel).AsTask().WaitAsync(Patience, Cancel) != start.AddSeconds(60))
        {
        }

        await otherProcess.GetRequiredService<IMaintenanceService>().EnterAsync(device.Id, "Firmware upgrade", cancellationToken: Cancel);
        var stillGood = Telemetry.GetLatest(device.Id);
        Time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(await readings.MoveNextAsync().AsTask().WaitAsync(Patience, Cancel));
        var stale = readings.Current;
        await stop.CancelAsync();
        await run.WaitAsync(Patience, Cancel);

        Assert.Equal(TelemetryQuality.Good, good.Quality);
        Assert.All(stillGood, r => Assert.Equal(TelemetryQuality.Good, r.Quality)); // this process was not told
        Assert.Equal((TelemetryQuality.Stale, good.Timestamp, good.Value), (stale.Quality, stale.Timestamp, stale.Value));
        Assert.All(Telemetry.GetLatest(device.Id), r => Assert.Equal(TelemetryQuality.Stale, r.Quality));
    }

    [Fact]
    public async Task APointAtItsNotAvailableValue_IsNotAvailable_WithoutAValue_AndIsNotStored()
    {
        // status answers 2000 (its address): the template declares that the "not available" value.
        var template = Loader.Load("""
            device_template:
              type: bess
              manufacturer: PowerPack
              registers:
                status: {address: 2000, not_available: 2000}
                available_blocks: 2028
            """, "na.yaml");
        var device = await AddBessAsync("WLCE-BESS-01", [DeviceTrigger.DeployConfig, DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded], template.Configuration);

        await Monitor.CheckAsync(cancellationToken: Cancel);

        var status = Telemetry.GetLatest(device.Id).Single(r => r.Point == "status");
        Assert.Equal((null, TelemetryQuality.NotAvailable), (status.Value, status.Quality));
        Assert.Equal(["available_blocks", "soe", "target_power"], Store.Readings.Select(r => r.Point).Order()); // the base map's others too, not status
    }

    [Fact]
    public async Task AMetersSecondarySidePoints_AreMultipliedByItsCtAndVtRatios()
    {
        var template = Loader.Load("device_template:\n  type: meter\n  manufacturer: Accuenergy\n  register_map: acuvim2_standard\n", "acuvim2_meter.yaml");
        var registration = SpecSamples.Meter("WLCE-METER-01") is var meter
            ? meter with { Metadata = meter.Metadata.With("ip_address", HealthTestDevices.Host).With("port", (long)HealthTestDevices.Port).With("ct_ratio", 200L).With("vt_ratio", 3L).With(DeviceConfiguration.MetadataKey, template.Configuration.ToMetadata()) }
            : throw new InvalidOperationException();
        var device = await RegisterActiveAsync(registration);

        await Monitor.CheckAsync(cancellationToken: Cancel);

        var latest = Telemetry.GetLatest(device.Id).ToDictionary(r => r.Point, r => r.Value!.Value);
        var map = BuiltInRegisterMaps.Acuvim2Standard;
        Assert.Equal(Raw("frequency"), latest["frequency"]);
        Assert.Equal(Raw("power_factor_total"), latest["power_factor_total"]);
        Assert.Equal(Raw("current_i1") * 200, latest["current_i1"], Tolerance(Raw("current_i1") * 200));
        Assert.Equal(Raw("voltage_v12") * 3, latest["voltage_v12"], Tolerance(Raw("voltage_v12") * 3));
        Assert.Equal(Raw("power_total") * 600, latest["power_total"], Tolerance(Raw("power_total") * 600));
        Assert.Equal(Raw("energy_import") * 600, latest["energy_import"], Tolerance(Raw("energy_import") * 600));

        static double Tolerance(double expected) => Math.Abs(expected) * 1e-12;

        double Raw(string point)
        {
            var register = map.Find(point)!;
            ushort[] words = [.. Enumerable.Range(register.Address, register.Count).Select(a => (ushort)a)];
            return RegisterDecoder.Decode(register, words, map.Scaling).Value!.Value;
        }
    }

    [Fact]
    public async Task ASubscription_GetsTheReadingsOfItsDevicesAndPoints_AsPollsDecodeThem_AndTheStaleOnes()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01", unitId: 1);
        var other = await AddActiveBessAsync("WLCE-BESS-02", unitId: 2);
        using var subscription = Telemetry.Subscribe(new TelemetrySubscriptionOptions { DeviceIds = [device.Id], Points = ["soe", "status"] });
        await using var reader = subscription.GetAsyncEnumerator(Cancel);

        await Monitor.CheckAsync(cancellationToken: Cancel);
        await _services.GetRequiredService<IMaintenanceService>().EnterAsync(device.Id, "Firmware upgrade", cancellationToken: Cancel);

        var got = new List<TelemetryReading>();
        while (got.Count < 4 && await reader.MoveNextAsync().AsTask().WaitAsync(Patience, Cancel))
        {
            got.Add(reader.Current);
        }

        Assert.Equal(
            [("status", TelemetryQuality.Good), ("soe", TelemetryQuality.Good), ("status", TelemetryQuality.Stale), ("soe", TelemetryQuality.Stale)],
            got.Select(r => (r.Point, r.Quality)));
        Assert.All(got, r => Assert.Equal(device.Id, r.DeviceId));
        Assert.NotEmpty(Telemetry.GetLatest(other.Id));
        Assert.Throws<InvalidOperationException>(() => subscription.GetAsyncEnumerator(Cancel));
    }

    [Fact]
    public async Task ASubscriberThatLags_LosesTheOldestReadings_Counted_AndPollingGoesOn()
    {
        using var collector = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), Flux.Devices.Diagnostics.FluxDevicesDiagnostics.MeterName, "flux.devices.telemetry.readings_dropped");
        var device = await AddActiveBessAsync("WLCE-BESS-01");
        using var lagging = Telemetry.Subscribe(new TelemetrySubscriptionOptions { Capacity = 3 });

        for (var poll = 0; poll < 3; poll++)
        {
            Assert.Single(await Monitor.CheckAsync(cancellationToken: Cancel));
            Time.Advance(TimeSpan.FromSeconds(60));
        }

        lagging.Dispose(); // the enumeration ends after what is queued
        var kept = new List<TelemetryReading>();
        await foreach (var reading in lagging.WithCancellation(Cancel))
        {
            kept.Add(reading);
        }

        Assert.Equal(9, lagging.Dropped);
        Assert.Equal(9, Telemetry.DroppedReadings);
        Assert.Equal(9, collector.GetMeasurementSnapshot().Where(m => m.Tags["reason"] as string == "subscriber").Sum(m => m.Value));
        Assert.Equal(3, kept.Count);
        var lastPoll = Telemetry.GetLatest(device.Id)[0].Timestamp;
        Assert.Equal(["target_power", "soe", "available_blocks"], kept.Select(r => r.Point)); // the newest: the last poll's last three
        Assert.All(kept, r => Assert.Equal(lastPoll, r.Timestamp));
        Assert.Equal(12, Store.Readings.Count);
    }

    [Fact]
    public void Subscribe_WithACapacityOutOfRange_IsRefused_NamingTheOptions()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Telemetry.Subscribe(new TelemetrySubscriptionOptions { Capacity = 0 }));

        Assert.Equal("options", error.ParamName);
    }

    [Fact]
    public async Task RunAsync_HandsTheReadingsToTheStoreInBatches_AndWritesWhatWaitsBeforeReturning()
    {
        var device = await AddActiveBessAsync("WLCE-BESS-01");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var run = Monitor.RunAsync(stop.Token);

        var batch = await Store.NextBatchAsync();
        await stop.CancelAsync();
        await run.WaitAsync(Patience, Cancel);

        Assert.Equal(4, batch.Length);
        Assert.All(batch, r => Assert.Equal((device.Id, TelemetryQuality.Good), (r.DeviceId, r.Quality)));
        Assert.Equal(Telemetry.GetLatest(device.Id), batch);
    }

    [Fact]
    public void Decode_IntoTheTargetsFrame_AllocatesNothing()
    {
        var plan = ReadPlan.ForMap(BuiltInRegisterMaps.PowerPackBess);
        var readings = new PollReadings(new RegisterPollPlan(plan));
        readings.Registers(0).Span.Fill(7);
        var frame = new TelemetryFrame(Guid.NewGuid(), readings.Plan, 1, 1);
        var timestamp = Time.GetUtcNow();
        frame.Decode(readings, timestamp); // warm

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            frame.Decode(readings, timestamp);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(((7 * 65536) + 7) * 0.001, frame.Snapshot().Single(r => r.Point == "soe").Value!.Value, 9);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private Task<Device> AddActiveBessAsync(string name, byte unitId = 1) =>
        AddBessAsync(name, [DeviceTrigger.DeployConfig, DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded], unitId: unitId);

    private Task<Device> AddBessAsync(string name, DeviceTrigger trigger) => AddBessAsync(name, [trigger]);

    /// <summary>Registers a BESS at the fake's address, configured by the spec's template (or <paramref name="configuration"/>), and fires the triggers.</summary>
    private async Task<Device> AddBessAsync(string name, DeviceTrigger[] triggers, DeviceConfiguration? configuration = null, byte unitId = 1)
    {
        configuration ??= Loader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml").Configuration;
        var registration = HealthTestDevices.Registration(name, unitId);
        registration = registration with { Metadata = registration.Metadata.With(DeviceConfiguration.MetadataKey, configuration.ToMetadata()) };
        var device = await Registry.RegisterAsync(registration, cancellationToken: Cancel);
        foreach (var trigger in triggers)
        {
            device = await Registry.FireAsync(device.Id, trigger, cancellationToken: Cancel);
        }

        return device;
    }

    private async Task<Device> RegisterActiveAsync(NewDevice registration)
    {
        var device = await Registry.RegisterAsync(registration, cancellationToken: Cancel);
        foreach (var trigger in new[] { DeviceTrigger.DeployConfig, DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded })
        {
            device = await Registry.FireAsync(device.Id, trigger, cancellationToken: Cancel);
        }

        return device;
    }
}
