using System.Diagnostics.Metrics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// Leases and fencing on a real PostgreSQL (issue 15): the store's round trips, the coordinator of each monitor instance
/// (fair share, failover, scope) on a fake clock that the store reckons leases on too, and fenced writes refused whole.
/// </summary>
public sealed class LeaseTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Renew = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(T0);
    private NpgsqlDataSource _dataSource = null!;
    private PostgresDeviceStore _store = null!;
    private string _schema = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _schema = await server.CreateSchemaAsync("lease");
        _dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        _store = new PostgresDeviceStore(_dataSource, new PostgresStoreOptions { Schema = _schema }, _time);
        await _store.MigrateAsync(Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await server.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task ClaimRenewRelease_RoundTrips_TokensGrowOnEveryChangeOfOwner()
    {
        var devices = await AddDevicesAsync(10, "WLCE");
        var a = new MonitorInstance { Id = Guid.NewGuid(), Name = "a" };
        var b = new MonitorInstance { Id = Guid.NewGuid(), Name = "b" };
        await _store.RenewAsync(a, Lease, Cancel);

        var first = await _store.ClaimAsync(a.Id, DeviceFilter.All, 4, Lease, Cancel);
        var rest = await _store.ClaimAsync(a.Id, DeviceFilter.All, 100, Lease, Cancel);
        Assert.Equal((4, 6), (first.Count, rest.Count));
        Assert.Equal(devices.Order(), first.Concat(rest).Select(l => l.DeviceId).Order());
        Assert.Empty(await _store.ClaimAsync(b.Id, DeviceFilter.All, 100, Lease, Cancel)); // all held

        var renewal = await _store.RenewAsync(a, Lease, Cancel);
        Assert.Equal(first.Concat(rest).OrderBy(l => l.DeviceId), renewal.Held.OrderBy(l => l.DeviceId)); // same tokens
        Assert.Equal(10, Assert.Single(renewal.Instances).DevicesHeld);

        var given = first.Take(3).Select(l => l.DeviceId).ToList();
        Assert.Equal(3, await _store.ReleaseAsync(a.Id, given, Cancel));
        await _store.RenewAsync(b, Lease, Cancel);
        var taken = await _store.ClaimAsync(b.Id, DeviceFilter.All, 100, Lease, Cancel);
        Assert.Equal(given.Order(), taken.Select(l => l.DeviceId).Order());
        Assert.All(taken, l => Assert.True(l.Token > first.Concat(rest).Max(x => x.Token)));

        renewal = await _store.RenewAsync(a, Lease, Cancel);
        Assert.Equal(7, renewal.Held.Count); // the 3 given back are no longer listed: lost to a
        Assert.Equal([("a", 7), ("b", 3)], renewal.Instances.Select(i => (i.Name, i.DevicesHeld)));

        await _store.StopInstanceAsync(a.Id, Cancel);
        Assert.Equal(["b"], (await _store.ListInstancesAsync(Cancel)).Select(i => i.Name));
        Assert.Equal(7, (await _store.ClaimAsync(b.Id, DeviceFilter.All, 100, Lease, Cancel)).Count);
    }

    [Fact]
    public async Task Renew_IsOneRoundTrip_OneBatchWithoutBeginOrCommit_WhateverTheLeasesHeld()
    {
        await AddDevicesAsync(50, "WLCE");
        var log = new NpgsqlLog();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(log));
        await using var counted = new NpgsqlDataSourceBuilder(server.ConnectionString).UseLoggerFactory(loggers).Build();
        var store = new PostgresDeviceStore(counted, new PostgresStoreOptions { Schema = _schema }, _time);
        var a = new MonitorInstance { Id = Guid.NewGuid(), Name = "a" };
        await store.RenewAsync(a, Lease, Cancel); // the connection opened, types loaded
        Assert.Equal(50, (await store.ClaimAsync(a.Id, DeviceFilter.All, 100, Lease, Cancel)).Count);

        log.Clear();
        var renewal = await store.RenewAsync(a, Lease, Cancel);

        Assert.Equal(50, renewal.Held.Count);
        Assert.Equal(50, Assert.Single(renewal.Instances).DevicesHeld); // the batch's reads see its own writes
        var said = string.Join("\n", log.All());
        Assert.True(log.Count("Npgsql.Command", "Executing batch") == 1, said); // one batch sent: one round trip
        Assert.True(log.Count("Npgsql.Command", "Executing command") == 0, said);
        Assert.True(log.Count("Npgsql.Transaction", string.Empty) + log.Count("Npgsql.Connection", "transaction") == 0, said); // no BEGIN ... COMMIT of its own
    }

    [Fact]
    public async Task Renew_AFailingPartOfTheBatch_LeavesNothingOfTheOthers()
    {
        await AddDevicesAsync(3, "WLCE");
        var a = new MonitorInstance { Id = Guid.NewGuid(), Name = "a" };
        await _store.RenewAsync(a, Lease, Cancel);
        await _store.ClaimAsync(a.Id, DeviceFilter.All, 10, Lease, Cancel);
        var before = await ScalarAsync<DateTime>($"SELECT heartbeat_at FROM {_schema}.monitor_instances WHERE id = '{a.Id}'");
        await using (var trigger = _dataSource.CreateCommand(
            $"CREATE FUNCTION {_schema}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$; " +
            $"CREATE TRIGGER refuse BEFORE UPDATE ON {_schema}.device_leases FOR EACH ROW EXECUTE FUNCTION {_schema}.refuse()"))
        {
            await trigger.ExecuteNonQueryAsync(Cancel);
        }

        _time.Advance(Renew);
        await Assert.ThrowsAsync<PostgresException>(() => _store.RenewAsync(a, Lease, Cancel).AsTask()); // the renewal's UPDATE, second in the batch

        // The heartbeat before it in the batch was rolled back with it.
        Assert.Equal(before, await ScalarAsync<DateTime>($"SELECT heartbeat_at FROM {_schema}.monitor_instances WHERE id = '{a.Id}'"));
    }

    /// <summary>Npgsql's log messages, by category.</summary>
    private sealed class NpgsqlLog : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, string Message)> _messages = new();

        public void Clear() => _messages.Clear();

        public IEnumerable<string> All() => _messages.Select(m => $"{m.Category}: {m.Message}");

        public int Count(string category, string text) =>
            _messages.Count(m => m.Category == category && m.Message.Contains(text, StringComparison.OrdinalIgnoreCase));

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(NpgsqlLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                log._messages.Enqueue((category, formatter(state, exception)));
        }
    }

    [Fact]
    public async Task Claim_AfterExpiry_TakesTheDevicesWithNewTokens_AndTheOldOwnersRenewalNoLongerListsThem()
    {
        await AddDevicesAsync(5, "WLCE");
        var a = new MonitorInstance { Id = Guid.NewGuid(), Name = "a" };
        var b = new MonitorInstance { Id = Guid.NewGuid(), Name = "b" };
        var held = await _store.ClaimAsync(a.Id, DeviceFilter.All, 10, Lease, Cancel);

        _time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await _store.ClaimAsync(b.Id, DeviceFilter.All, 10, Lease, Cancel));
        _time.Advance(TimeSpan.FromSeconds(1));
        var taken = await _store.ClaimAsync(b.Id, DeviceFilter.All, 10, Lease, Cancel);

        Assert.Equal(held.Select(l => l.DeviceId).Order(), taken.Select(l => l.DeviceId).Order());
        Assert.All(taken, l => Assert.True(l.Token > held.Single(h => h.DeviceId == l.DeviceId).Token));
        Assert.Empty((await _store.RenewAsync(a, Lease, Cancel)).Held);
        Assert.Equal(5, (await _store.RenewAsync(b, Lease, Cancel)).Held.Count);
    }

    [Fact]
    public async Task Claim_TakesOnlyPollableDevicesInScope()
    {
        var wlce = await AddDevicesAsync(3, "WLCE");
        await AddDevicesAsync(3, "KOGA");
        await AddDevicesAsync(2, "WLCE", DeviceState.Registered);
        await AddDevicesAsync(1, "WLCE", DeviceState.Active, active: false);
        await AddDevicesAsync(1, "WLCE", DeviceState.Maintenance);

        var claimed = await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.Parse("site=WLCE"), 100, Lease, Cancel);

        Assert.Equal(wlce.Order(), claimed.Select(l => l.DeviceId).Order());
    }

    [Fact]
    public async Task Claim_ManyInstancesAtOnce_NeverShareADevice()
    {
        await AddDevicesAsync(200, "WLCE");
        var owners = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();

        var claims = await Task.WhenAll(owners.Select(o => Task.Run(async () => await _store.ClaimAsync(o, DeviceFilter.All, 80, Lease, Cancel), Cancel)));

        var all = claims.SelectMany(c => c.Select(l => l.DeviceId)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(200, all.Count); // 4 x 80 asked for, 200 there
        Assert.Equal(all.Count, await ScalarAsync<long>($"SELECT count(*) FROM {_schema}.device_leases"));
    }

    [Fact]
    public async Task Fence_StaleToken_RefusesHealthTelemetryAndLifecycleWrites_AndStoresNothingOfThem()
    {
        var devices = await AddDevicesAsync(2, "WLCE", DeviceState.Testing);
        var (d, other) = (devices[0], devices[1]);
        var a = await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.All, 10, Lease, Cancel);
        var stale = a.Single(l => l.DeviceId == d).Token;
        var otherToken = a.Single(l => l.DeviceId == other).Token;
        _time.Advance(Lease);
        var b = await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.Parse($"name={Name(d)}"), 10, Lease, Cancel);
        var current = Assert.Single(b).Token;
        await using var services = Registry();
        var registry = services.GetRequiredService<IDeviceRegistry>();

        using (DeviceLeaseFence.Enter(new Dictionary<Guid, long> { [d] = stale, [other] = otherToken }))
        {
            // A batch of two devices, one of them stale: the whole batch is refused, naming the stale one.
            var refused = await Assert.ThrowsAsync<LeaseLostException>(() => _store.AppendHealthAsync([Sample(d, 0), Sample(other, 0)], Cancel).AsTask());
            Assert.Equal([d], refused.DeviceIds);
            await Assert.ThrowsAsync<LeaseLostException>(() => _store.AppendTelemetryAsync([Reading(d, 0)], Cancel).AsTask());
            await Assert.ThrowsAsync<LeaseLostException>(() => registry.FireAsync(d, DeviceTrigger.PollSucceeded, "poll", "health-monitor", cancellationToken: Cancel).AsTask());

            // The other device's token is current: its own writes go through.
            await _store.AppendHealthAsync([Sample(other, 1)], Cancel);
        }

        Assert.Empty(await _store.GetHealthAsync(d, T0, T0.AddDays(1), Cancel));
        Assert.Single(await _store.GetHealthAsync(other, T0, T0.AddDays(1), Cancel));
        Assert.Empty(await _store.GetTelemetryAsync(d, null, T0, T0.AddDays(1), Cancel));
        var device = await _store.GetAsync(d, Cancel);
        Assert.Equal((DeviceState.Testing, 1L), (device!.State, device.Version));
        Assert.Single(await _store.GetHistoryAsync(d, Cancel));

        // Under the current owner's token the same writes are stored.
        using (DeviceLeaseFence.Enter(d, current))
        {
            await _store.AppendHealthAsync([Sample(d, 2)], Cancel);
            await _store.AppendTelemetryAsync([Reading(d, 2)], Cancel);
            Assert.Equal(DeviceState.Active, (await registry.FireAsync(d, DeviceTrigger.PollSucceeded, "poll", "health-monitor", cancellationToken: Cancel)).State);
        }

        Assert.Single(await _store.GetHealthAsync(d, T0, T0.AddDays(1), Cancel));
        Assert.Single(await _store.GetTelemetryAsync(d, null, T0, T0.AddDays(1), Cancel));
    }

    [Fact]
    public async Task Fence_BatchedLifecycleMoves_EachCarriesItsPollsToken_TheStaleOneIsRefused_TheOtherIsWritten()
    {
        var devices = await AddDevicesAsync(2, "WLCE", DeviceState.Testing);
        var (d, other) = (devices[0], devices[1]);
        var a = await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.All, 10, Lease, Cancel);
        var stale = a.Single(l => l.DeviceId == d).Token;
        var otherToken = a.Single(l => l.DeviceId == other).Token;
        _time.Advance(Lease);
        await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.Parse($"name={Name(d)}"), 10, Lease, Cancel);
        await using var services = Registry();
        var registry = services.GetRequiredService<DeviceRegistry>();
        var lifecycle = new HealthLifecycle(registry, _store, services.GetRequiredService<Notifications.NotificationDispatcher>(), NullLogger.Instance);

        // The registry's batch: one transaction, refused whole when one device's token is stale.
        var (dDevice, otherDevice) = ((await _store.GetAsync(d, Cancel))!, (await _store.GetAsync(other, Cancel))!);
        using (DeviceLeaseFence.Enter(new Dictionary<Guid, long> { [d] = stale, [other] = otherToken }))
        {
            var refused = await Assert.ThrowsAsync<LeaseLostException>(() => registry.FireManyAsync([(dDevice, DeviceTrigger.PollSucceeded, "poll"), (otherDevice, DeviceTrigger.PollSucceeded, "poll")], "health-monitor", Cancel).AsTask());
            Assert.Equal([d], refused.DeviceIds);
        }

        Assert.Equal((DeviceState.Testing, DeviceState.Testing), ((await _store.GetAsync(d, Cancel))!.State, (await _store.GetAsync(other, Cancel))!.State));

        // Two polls' moves at once, each under its own poll's fence: whether they share a batch or not, the stale
        // device's poll gets the refusal and nothing of it is stored; the other device moves.
        Task<Device> Move(Device device, long token)
        {
            using (DeviceLeaseFence.Enter(device.Id, token))
            {
                var sample = Sample(device.Id, 0);
                return lifecycle.ApplyAsync(new PollTarget(device.Id), device, sample, Cancel).AsTask();
            }
        }

        var staleMove = Move(dDevice, stale);
        var goodMove = Move(otherDevice, otherToken);
        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => staleMove);
        Assert.Equal([d], lost.DeviceIds);
        Assert.Equal(DeviceState.Active, (await goodMove).State);
        var stored = await _store.GetAsync(d, Cancel);
        Assert.Equal((DeviceState.Testing, 1L), (stored!.State, stored.Version));
        Assert.Single(await _store.GetHistoryAsync(d, Cancel));
        Assert.Equal(DeviceState.Active, (await _store.GetAsync(other, Cancel))!.State);
    }

    [Fact]
    public async Task Fence_AfterRelease_RefusesTheWrite()
    {
        var d = (await AddDevicesAsync(1, "WLCE"))[0];
        var owner = Guid.NewGuid();
        var lease = Assert.Single(await _store.ClaimAsync(owner, DeviceFilter.All, 1, Lease, Cancel));
        await _store.ReleaseAsync(owner, null, Cancel);

        using (DeviceLeaseFence.Enter(d, lease.Token))
        {
            await Assert.ThrowsAsync<LeaseLostException>(() => _store.AppendHealthAsync([Sample(d, 0)], Cancel).AsTask());
        }

        Assert.Empty(await _store.GetHealthAsync(d, T0, T0.AddDays(1), Cancel));
    }

    [Fact]
    public async Task HealthSampleWriter_StaleDevice_IsRefusedAndCounted_TheOthersAreWritten_AndTheCoordinatorIsTold()
    {
        var devices = await AddDevicesAsync(2, "WLCE");
        var leases = await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.All, 10, Lease, Cancel);
        var stale = leases.Single(l => l.DeviceId == devices[0]);
        var good = leases.Single(l => l.DeviceId == devices[1]);
        _time.Advance(Lease);
        await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.Parse($"name={Name(stale.DeviceId)}"), 1, Lease, Cancel);
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = meters.GetRequiredService<IMeterFactory>();
        var metrics = new HealthMetrics(meterFactory, () => new int[3]);
        metrics.TrackLeases("test", () => 0);
        using var fencedWrites = new MetricCollector<long>(meterFactory, FluxDevicesDiagnostics.MeterName, "flux.devices.leases.fenced_writes");
        var told = new List<DeviceLease>();

        var writer = new HealthSampleWriter(_store.AppendHealthAsync, new DeviceHealthOptions(), metrics, NullLogger.Instance, told.AddRange);
        writer.Enqueue(Sample(stale.DeviceId, 0), stale.Token);
        writer.Enqueue(Sample(good.DeviceId, 0), good.Token);
        writer.Enqueue(Sample(stale.DeviceId, 1), stale.Token);
        await writer.CompleteAsync();

        Assert.Empty(await _store.GetHealthAsync(stale.DeviceId, T0, T0.AddDays(1), Cancel));
        Assert.Single(await _store.GetHealthAsync(good.DeviceId, T0, T0.AddDays(1), Cancel));
        Assert.Equal([stale], told);
        Assert.Equal(2, fencedWrites.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task TelemetryWriter_StaleDevice_IsRefused_TheOthersAreWritten()
    {
        var devices = await AddDevicesAsync(2, "WLCE");
        var leases = await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.All, 10, Lease, Cancel);
        var stale = leases.Single(l => l.DeviceId == devices[0]);
        var good = leases.Single(l => l.DeviceId == devices[1]);
        await _store.ReleaseAsync(Guid.Empty, null, Cancel); // another owner's release changes nothing
        await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.All, 10, Lease, Cancel);
        _time.Advance(Lease);
        await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.Parse($"name={Name(stale.DeviceId)}"), 1, Lease, Cancel);
        var told = new List<DeviceLease>();
        var telemetry = new Telemetry.Internal.DeviceTelemetry(null);

        var writer = new Telemetry.Internal.TelemetryWriter(_store, 100, 100, telemetry, NullLogger.Instance, told.AddRange);
        writer.Enqueue(Reading(stale.DeviceId, 0), stale.Token);
        writer.Enqueue(Reading(good.DeviceId, 0), good.Token);
        await writer.CompleteAsync();

        Assert.Empty(await _store.GetTelemetryAsync(stale.DeviceId, null, T0, T0.AddDays(1), Cancel));
        Assert.Single(await _store.GetTelemetryAsync(good.DeviceId, null, T0, T0.AddDays(1), Cancel));
        Assert.Equal([stale], told);
    }

    [Fact]
    public async Task Coordinators_TwoInstances_ShareFairly_AJoinerGetsItsShareWithinOneLeaseTime_AndNoDeviceIsHeldTwice()
    {
        await AddDevicesAsync(20, "WLCE");
        var a = Coordinator("a");
        var b = Coordinator("b");

        Assert.True(await TickAsync(a));
        Assert.Equal(10, a.HeldCount); // alone; a first claim takes at most half the share
        _time.Advance(Renew);
        Assert.True(await TickAsync(a));
        Assert.Equal(20, a.HeldCount); // alone: every device
        var joined = _time.GetUtcNow();
        Assert.False(await TickAsync(b)); // nothing free yet; b's heartbeat is in
        _time.Advance(Renew);
        await TickAsync(a); // sees two instances: gives back down to its share
        Assert.Equal(10, a.HeldCount);
        Assert.True(await TickAsync(b));
        Assert.True(_time.GetUtcNow() - joined <= Lease);

        Assert.Equal((10, 10), (a.HeldCount, b.HeldCount));
        await AssertHeldOnceAsync(20, a, b);
    }

    [Fact]
    public async Task Coordinators_ThreeStartingAtOnce_EachHoldsAtMostItsBoundWithinOneLeaseTime_AndEveryDeviceIsHeld()
    {
        await AddDevicesAsync(300, "WLCE");
        var instances = new[] { Coordinator("a"), Coordinator("b"), Coordinator("c") };
        var most = (int)Math.Ceiling(300 / 3.0 * 1.1);
        var started = _time.GetUtcNow();

        // The first to renew sees itself alone: its first claim takes half of what it thinks its share is, not all.
        await TickAsync(instances[0]);
        Assert.Equal(150, instances[0].HeldCount);
        while (true)
        {
            foreach (var instance in instances.Skip(_time.GetUtcNow() == started ? 1 : 0))
            {
                await TickAsync(instance, busy: Polling(instance, 5));
            }

            if (instances.All(i => i.HeldCount <= most) && instances.Sum(i => i.HeldCount) == 300)
            {
                break;
            }

            _time.Advance(Renew);
            Assert.True(_time.GetUtcNow() - started <= Lease, $"not within the bound one lease time after the start: {string.Join(", ", instances.Select(i => i.HeldCount))}");
        }

        Assert.All(instances, i => Assert.InRange(i.HeldCount, 100 - (most - 100), most));
        await AssertHeldOnceAsync(300, instances);
    }

    [Fact]
    public async Task Coordinators_AJoiner_TakesItsShareWithinOneLeaseTime_TheHoldersGiveBackEverythingAboveTheirShareAtOnce_AndNoDeviceIsUnheldLongerThanOneLeaseTime()
    {
        var devices = await AddDevicesAsync(300, "WLCE");
        var a = Coordinator("a");
        var b = Coordinator("b");
        for (var round = 0; round < 3; round++)
        {
            await TickAsync(a);
            await TickAsync(b);
            _time.Advance(Renew);
        }

        Assert.Equal((150, 150), (a.HeldCount, b.HeldCount));
        var c = Coordinator("c");
        var joined = _time.GetUtcNow();
        var unheldSince = new Dictionary<Guid, DateTimeOffset>();
        var longest = TimeSpan.Zero;
        await TickAsync(c); // registers; nothing is free yet
        _time.Advance(Renew / 2); // the others renew at their own times
        while (true)
        {
            // Polls under way on a few devices of each holder: those are kept, every other extra goes in one release.
            Assert.True(await TickAsync(a, busy: Polling(a, 5)) is false);
            Assert.True(a.HeldCount <= 100 + 5, $"a gave back only down to {a.HeldCount}");
            await TickAsync(b, busy: Polling(b, 5));
            longest = Max(longest, await UnheldAsync(devices, unheldSince));
            _time.Advance(Renew / 2);
            await TickAsync(c);
            longest = Max(longest, await UnheldAsync(devices, unheldSince));
            if (c.HeldCount >= 100)
            {
                break;
            }

            _time.Advance(Renew / 2);
            Assert.True(_time.GetUtcNow() - joined <= Lease, $"c has {c.HeldCount} of its 100 one lease time after it joined");
        }

        Assert.True(_time.GetUtcNow() - joined <= Lease);
        var most = (int)Math.Ceiling(100 * 1.1);
        Assert.All(new[] { a, b, c }, i => Assert.InRange(i.HeldCount, 90, most));
        Assert.True(longest <= Lease, $"a device was unheld for {longest.TotalSeconds} s");
        await AssertHeldOnceAsync(300, a, b, c);
    }

    /// <summary>The longest any device has been without a live lease so far (<paramref name="since"/> keeps when each lost its last).</summary>
    private async Task<TimeSpan> UnheldAsync(List<Guid> devices, Dictionary<Guid, DateTimeOffset> since)
    {
        var now = _time.GetUtcNow();
        await using var command = _dataSource.CreateCommand($"SELECT device_id FROM {_schema}.device_leases WHERE expires_at > $1");
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        var held = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(Cancel))
        {
            while (await reader.ReadAsync(Cancel))
            {
                held.Add(reader.GetGuid(0));
            }
        }

        var longest = TimeSpan.Zero;
        foreach (var device in devices)
        {
            if (held.Contains(device))
            {
                since.Remove(device);
            }
            else
            {
                since.TryAdd(device, now);
                longest = Max(longest, now - since[device]);
            }
        }

        return longest;
    }

    private static TimeSpan Max(TimeSpan x, TimeSpan y) => x > y ? x : y;

    /// <summary>A monitor polling the first <paramref name="count"/> devices it holds right now (by id).</summary>
    private static Func<Guid, bool> Polling(LeaseCoordinator coordinator, int count)
    {
        var polling = new HashSet<Guid>();
        foreach (var id in coordinator.HeldIds().Order().Take(count))
        {
            polling.Add(id);
        }

        return polling.Contains;
    }

    [Fact]
    public async Task Coordinators_ThreeInstances_HoldAtMostTheirShareAndTenPercent_AndEveryDeviceIsHeld()
    {
        await AddDevicesAsync(31, "WLCE");
        var instances = new[] { Coordinator("a"), Coordinator("b"), Coordinator("c") };

        for (var round = 0; round < 4; round++)
        {
            foreach (var instance in instances)
            {
                await TickAsync(instance);
            }

            _time.Advance(Renew);
        }

        var most = (int)Math.Ceiling(31 / 3.0 * 1.1);
        Assert.All(instances, i => Assert.InRange(i.HeldCount, 10, most));
        await AssertHeldOnceAsync(31, instances);
    }

    [Fact]
    public async Task Coordinators_AnInstanceThatStopsRenewing_LosesItsDevicesToTheOtherWithinTwoLeaseTimes_AndStopsPollingThem()
    {
        await AddDevicesAsync(20, "WLCE");
        var a = Coordinator("a");
        var b = Coordinator("b");
        await TickAsync(a);
        await TickAsync(b);
        _time.Advance(Renew);
        await TickAsync(a);
        await TickAsync(b);
        Assert.Equal((10, 10), (a.HeldCount, b.HeldCount));
        var bHeld = await HeldByAsync(b);

        // b stops renewing (a pause, a kill -9); a goes on ticking.
        var stopped = _time.GetUtcNow();
        while (a.HeldCount < 20)
        {
            _time.Advance(Renew);
            await TickAsync(a);
            Assert.True(_time.GetUtcNow() - stopped < 2 * Lease, "a did not take b's devices within 2 x the lease time");
        }

        Assert.All(bHeld, id => Assert.False(b.TryGetToken(id, out _))); // b's own clock says its leases ran out
        await AssertHeldOnceAsync(20, a);
    }

    [Fact]
    public async Task Coordinators_FencedWrite_DropsTheDevice_AndCountsALostLease()
    {
        await AddDevicesAsync(2, "WLCE");
        var a = Coordinator("a");
        await TickAsync(a);
        var dropped = new List<Guid>();
        a.Dropped = dropped.Add;
        var id = (await HeldByAsync(a))[0];
        Assert.True(a.TryGetToken(id, out var token));

        a.Fenced([new DeviceLease(id, token - 1)]); // an older token's refusal: the lease held now stays
        Assert.True(a.TryGetToken(id, out _));
        a.Fenced([new DeviceLease(id, token)]);

        Assert.False(a.TryGetToken(id, out _));
        Assert.Equal([id], dropped);
    }

    [Fact]
    public async Task Coordinators_ScopedAndUnscoped_SplitTheSharedSite_AndTheRestGoesToTheUnscoped()
    {
        await AddDevicesAsync(10, "WLCE");
        await AddDevicesAsync(10, "KOGA");
        var site = Coordinator("wlce", "site=WLCE");
        var central = Coordinator("central");

        for (var round = 0; round < 4; round++)
        {
            await TickAsync(site);
            await TickAsync(central);
            _time.Advance(Renew);
        }

        var siteHeld = await HeldByAsync(site);
        Assert.All(siteHeld, id => Assert.StartsWith("WLCE", Name(id), StringComparison.Ordinal));
        Assert.Equal(5, site.HeldCount); // half of WLCE
        Assert.Equal(15, central.HeldCount); // the other half of WLCE and all of KOGA
        await AssertHeldOnceAsync(20, site, central);
    }

    [Fact]
    public async Task Coordinators_SiteMonitorsJoiningACentralOne_NoDeviceIsLeftUnheld_TheCentralKeepsWhatOnlyItCovers()
    {
        // The central monitor starts first and holds everything; two site monitors join. Giving back what it holds above
        // its share must not strand the third site's devices (only the central covers them), and a device nobody else
        // covers is claimed by the central whatever its share.
        await AddDevicesAsync(10, "WLCE");
        await AddDevicesAsync(10, "KOGA");
        await AddDevicesAsync(10, "HAKU");
        var central = Coordinator("central");
        for (var round = 0; round < 3; round++)
        {
            await TickAsync(central);
            _time.Advance(Renew);
        }

        Assert.Equal(30, central.HeldCount);
        var wlce = Coordinator("wlce", "site=WLCE");
        var koga = Coordinator("koga", "site=KOGA");
        for (var round = 0; round < 6; round++) // 60 s: two lease times
        {
            await TickAsync(wlce);
            await TickAsync(koga);
            await TickAsync(central);
            _time.Advance(Renew);
        }

        await AssertHeldOnceAsync(30, central, wlce, koga);
        Assert.InRange(wlce.HeldCount, 1, 6); // within ⌈1.1 × 5⌉
        Assert.InRange(koga.HeldCount, 1, 6);
        Assert.InRange(central.HeldCount, 18, 22); // within ⌈1.1 × 20⌉
        Assert.All(await HeldByAsync(wlce), id => Assert.StartsWith("WLCE", Name(id), StringComparison.Ordinal));
        Assert.Equal(10, (await HeldByAsync(central)).Count(id => Name(id).StartsWith("HAKU", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Coordinator_Stop_GivesEveryLeaseBack_AndTheInstanceIsNoLongerLive()
    {
        await AddDevicesAsync(3, "WLCE");
        var a = Coordinator("a");
        await TickAsync(a);
        Assert.Single(await _store.ListInstancesAsync(Cancel));

        await a.StopAsync(Cancel);

        Assert.Empty(await _store.ListInstancesAsync(Cancel));
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT count(*) FROM {_schema}.device_leases"));
        Assert.Equal(0, a.HeldCount);
    }

    [Fact]
    public async Task Leases_OnTheInMemoryStore_AreAConfigurationErrorNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp().AddHealthMonitor(o => o.Leases.Enabled = true);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DeviceHealthOptions>>().Value);
        Assert.Contains("DeviceHealthOptions.Leases.Enabled", error.Message, StringComparison.Ordinal);
        Assert.Contains("InMemoryDeviceStore", error.Message, StringComparison.Ordinal);

        // Built without the container, the monitor refuses the same way.
        var direct = Assert.Throws<OptionsValidationException>(() => new DeviceHealthMonitor(
            new InMemoryDeviceStore(),
            provider.GetRequiredService<IDeviceRegistry>(),
            (provider.GetRequiredService<Transport.IModbusTransport>(), false),
            new DeviceHealthOptions { Leases = { Enabled = true } },
            provider.GetRequiredService<Notifications.NotificationDispatcher>(),
            [],
            _time));
        Assert.Contains("DeviceHealthOptions.Leases.Enabled", direct.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leases_OnThePostgresStore_PassValidation_AndTheMonitorGetsTheLeaseStore()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddFluxDevices().UseStore(_store).UseModbusTcp().AddHealthMonitor(o => o.Leases.Enabled = true);
        await using var provider = services.BuildServiceProvider();

        Assert.True(provider.GetRequiredService<IOptions<DeviceHealthOptions>>().Value.Leases.Enabled);
        var monitor = (DeviceHealthMonitor)provider.GetRequiredService<IDeviceHealthMonitor>();
        Assert.NotNull(monitor.Leases);
    }

    [Fact]
    public async Task HealthCheckAndMetrics_ReportTheInstancesLeases_AndTheCheckFailsWhenTheyLapse()
    {
        await AddDevicesAsync(4, "WLCE");
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddMetrics();
        services.AddLogging();
        services.AddFluxDevices().UseStore(_store).UseModbusTcp().AddHealthMonitor(o =>
        {
            o.Leases.Enabled = true;
            o.Leases.InstanceName = "edge-1";
            o.Leases.LeaseTime = Lease;
            o.Leases.RenewInterval = Renew;
        });
        services.AddHealthChecks().AddFluxDevices();
        await using var provider = services.BuildServiceProvider();
        var meterFactory = provider.GetRequiredService<IMeterFactory>();
        using var renewals = new MetricCollector<long>(meterFactory, FluxDevicesDiagnostics.MeterName, "flux.devices.leases.renewals");
        using var lost = new MetricCollector<long>(meterFactory, FluxDevicesDiagnostics.MeterName, "flux.devices.leases.lost");
        using var held = new MetricCollector<int>(meterFactory, FluxDevicesDiagnostics.MeterName, "flux.devices.leases.held");
        var leases = ((DeviceHealthMonitor)provider.GetRequiredService<IDeviceHealthMonitor>()).Leases!;
        var checks = provider.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();

        await TickAsync(leases);
        _time.Advance(Renew);
        await TickAsync(leases); // the first claim took half
        var report = await checks.CheckHealthAsync(Cancel);
        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, entry.Status);
        Assert.Equal(("edge-1", 4), ((string)entry.Data["lease_instance"], (int)entry.Data["leases_held"]));
        held.RecordObservableInstruments();
        Assert.Equal(4, held.LastMeasurement!.Value);
        Assert.Equal("edge-1", held.LastMeasurement.Tags["instance"]);
        Assert.Equal(2, renewals.GetMeasurementSnapshot().Sum(m => m.Value));

        // Another instance takes the devices after the leases ran out: the next renewal counts them lost.
        _time.Advance(Lease);
        entry = Assert.Single((await checks.CheckHealthAsync(Cancel)).Entries).Value;
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("could not renew its leases", entry.Description, StringComparison.Ordinal);
        await _store.ClaimAsync(Guid.NewGuid(), DeviceFilter.All, 10, Lease, Cancel);
        await TickAsync(leases);
        Assert.Equal(4, lost.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Monitor_AfterATakeoverItHasNotNoticed_ItsLifecycleMoveAndItsSamplesAreRefused_AndNothingIsStored()
    {
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens: a poll is refused at once, an offline sample
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddMetrics();
        services.AddFluxDevices().UseStore(_store).UseModbusTcp(o =>
        {
            o.RetryCount = 0;
            o.RetryDelay = TimeSpan.Zero;
            o.MaxRetryDelay = TimeSpan.Zero;
        }).AddHealthMonitor(o =>
        {
            o.DefaultRetryCount = 0;
            o.Leases.Enabled = true;
            o.Leases.LeaseTime = Lease;
            o.Leases.RenewInterval = Renew;
        });
        await using var provider = services.BuildServiceProvider();
        using var fencedWrites = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), FluxDevicesDiagnostics.MeterName, "flux.devices.leases.fenced_writes");
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var configured = await RegisterAsync(registry, "FENCE-CONFIGURED", port);
        var active = await RegisterAsync(registry, "FENCE-ACTIVE", port);
        await _store.UpdateAsync(
            active with { State = DeviceState.Active, Version = active.Version + 1 },
            new DeviceHistoryEntry { DeviceId = active.Id, Version = active.Version + 1, Kind = DeviceChangeKind.Transitioned, FromState = DeviceState.Configured, ToState = DeviceState.Active, Timestamp = _time.GetUtcNow() },
            Cancel);
        var monitor = (DeviceHealthMonitor)provider.GetRequiredService<IDeviceHealthMonitor>();
        await TickAsync(monitor.Leases!);
        _time.Advance(Renew);
        await TickAsync(monitor.Leases!); // the first claim took half
        Assert.Equal(2, monitor.Leases!.HeldCount);

        // Another instance takes both devices over in a way this one cannot see yet (its leases look valid to it).
        await using (var steal = _dataSource.CreateCommand($"UPDATE {_schema}.device_leases SET owner = gen_random_uuid(), token = nextval('{_schema}.lease_token_seq')"))
        {
            Assert.Equal(2, await steal.ExecuteNonQueryAsync(Cancel));
        }

        // The Active device's offline sample is refused with the batch; the Configured device's move to Testing is
        // refused before it is polled, so it gives no sample.
        var refused = await Assert.ThrowsAsync<LeaseLostException>(() => monitor.CheckAsync(cancellationToken: Cancel).AsTask());

        Assert.Equal([active.Id], refused.DeviceIds);
        Assert.Empty(await _store.GetHealthAsync(active.Id, T0.AddDays(-1), T0.AddDays(1), Cancel));
        Assert.Empty(await _store.GetHealthAsync(configured.Id, T0.AddDays(-1), T0.AddDays(1), Cancel));
        var stillConfigured = await _store.GetAsync(configured.Id, Cancel);
        Assert.Equal((DeviceState.Configured, configured.Version), (stillConfigured!.State, stillConfigured.Version));
        Assert.False(monitor.Leases.TryGetToken(configured.Id, out _)); // dropped: no longer polled
        Assert.Equal(1, fencedWrites.GetMeasurementSnapshot().Sum(m => m.Value)); // the move
    }

    private static async Task<Device> RegisterAsync(IDeviceRegistry registry, string name, int port)
    {
        var registration = SpecSamples.Bess(name);
        registration = registration with { Metadata = registration.Metadata.With("ip_address", "127.0.0.1").With("port", (long)port) };
        var device = await registry.RegisterAsync(registration, cancellationToken: Cancel);
        return await registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
    }

    [Fact]
    public void Options_RenewIntervalAboveHalfTheLeaseTime_AndABadScope_AreRefusedNamingTheOptions()
    {
        var result = new DeviceHealthOptionsRulesValidator().Validate(null, new DeviceHealthOptions
        {
            Scope = "site",
            Leases = { LeaseTime = TimeSpan.FromSeconds(10), RenewInterval = TimeSpan.FromSeconds(6) },
        });

        Assert.True(result.Failed);
        Assert.Contains("Leases.RenewInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Scope ('site')", result.FailureMessage, StringComparison.Ordinal);
    }

    private LeaseCoordinator Coordinator(string name, string? scope = null) => new(
        _store,
        new DeviceLeaseOptions { Enabled = true, InstanceName = name, LeaseTime = Lease, RenewInterval = Renew },
        scope,
        scope is null ? DeviceFilter.All : DeviceFilter.Parse(scope),
        _time,
        new HealthMetrics(null, () => new int[3]),
        NullLogger.Instance);

    /// <summary>One renewal of an instance, over the pollable devices of its scope as the monitor lists them.</summary>
    private async Task<bool> TickAsync(LeaseCoordinator coordinator, Func<Guid, bool>? busy = null)
    {
        var scope = coordinator.Instance.Filter is { } filter ? DeviceFilter.Parse(filter) : DeviceFilter.All;
        var devices = (await _store.ListAsync(DeviceFilter.All, Cancel)).Where(d => d.Active && scope.Matches(d)).ToList();
        return await coordinator.TickAsync(devices, busy ?? (_ => false), Cancel);
    }

    private async Task<List<Guid>> HeldByAsync(LeaseCoordinator coordinator)
    {
        await using var command = _dataSource.CreateCommand($"SELECT device_id FROM {_schema}.device_leases WHERE owner = $1 ORDER BY device_id");
        command.Parameters.Add(new NpgsqlParameter { Value = coordinator.Instance.Id });
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(Cancel))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>Every device is held, by one instance, and each instance's own view matches the table.</summary>
    private async Task AssertHeldOnceAsync(int devices, params LeaseCoordinator[] instances)
    {
        var held = new List<Guid>();
        foreach (var instance in instances)
        {
            var ids = await HeldByAsync(instance);
            Assert.Equal(ids.Count, instance.HeldCount);
            Assert.All(ids, id => Assert.True(instance.TryGetToken(id, out _)));
            held.AddRange(ids);
        }

        Assert.Equal(devices, held.Count);
        Assert.Equal(devices, held.Distinct().Count());
    }

    private readonly Dictionary<Guid, string> _names = [];

    private string Name(Guid id) => _names[id];

    private async Task<List<Guid>> AddDevicesAsync(int count, string site, DeviceState state = DeviceState.Active, bool active = true)
    {
        var now = StoredTime.ToMicroseconds(_time.GetUtcNow());
        var writes = new List<DeviceWrite>(count);
        for (var i = 0; i < count; i++)
        {
            var device = new Device
            {
                Id = Guid.NewGuid(),
                Name = $"{site}-{state}-{(active ? "on" : "off")}-{_names.Count + i:000}",
                Type = DeviceTypes.Bess,
                Site = site,
                Metadata = SpecSamples.Bess().Metadata,
                State = state,
                Active = active,
                CreatedAt = now,
                UpdatedAt = now,
            };
            writes.Add(new DeviceWrite(device, new DeviceHistoryEntry { DeviceId = device.Id, Version = 1, Kind = DeviceChangeKind.Registered, ToState = state, Timestamp = now }));
        }

        await _store.AddManyAsync(writes, Cancel);
        foreach (var write in writes)
        {
            _names[write.Device.Id] = write.Device.Name;
        }

        return [.. writes.Select(w => w.Device.Id)];
    }

    private ServiceProvider Registry()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddFluxDevices().UseStore(_store);
        return services.BuildServiceProvider();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Cancel))!;
    }

    private static DeviceHealthSample Sample(Guid deviceId, int second) => new()
    {
        DeviceId = deviceId,
        Timestamp = T0.AddSeconds(second),
        Status = DeviceHealthStatus.Online,
        ResponseTimeMs = 5,
    };

    private static TelemetryReading Reading(Guid deviceId, int second) => new()
    {
        DeviceId = deviceId,
        Timestamp = T0.AddSeconds(second),
        Point = "soe",
        Value = 0.5,
        Quality = TelemetryQuality.Good,
    };
}
