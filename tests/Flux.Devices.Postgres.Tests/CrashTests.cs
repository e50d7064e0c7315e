using System.Collections.Concurrent;
using System.Diagnostics;
using Flux.Devices.Discovery;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Testing.Internal;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// The store through a server crash (<c>pg_ctl stop -m immediate</c>) and killed backends, on a throwaway cluster of
/// its own so that no other test sees the server go down.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private readonly PostgresServer _server = PostgresServer.Throwaway();
    private NpgsqlDataSource? _dataSource;
    private ServiceProvider? _services;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private PostgresDeviceStore Store => _services!.GetRequiredService<PostgresDeviceStore>();

    private IDeviceRegistry Registry => _services!.GetRequiredService<IDeviceRegistry>();

    public async ValueTask InitializeAsync()
    {
        await _server.InitializeAsync();
        _server.Require();
        var connection = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { ApplicationName = "flux-crash-test", Timeout = 2 };
        _dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        var services = new ServiceCollection();
        services.AddSingleton(_dataSource);
        services.AddFluxDevices().UsePostgres(o => o.TransientRetries = 5);
        _services = services.BuildServiceProvider();
        await Store.MigrateAsync(Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ImmediateStop_WithEightWriters_KeepsEveryAcknowledgedWriteWithItsHistory_AndTheStoreRecoversQuickly()
    {
        var acknowledged = new ConcurrentDictionary<Guid, long>();
        var failures = 0;
        var before = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var after = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        async Task WriteAsync(int writer)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var device = await Registry.RegisterAsync(SpecSamples.Bess($"W{writer}-{i}"), cancellationToken: stop.Token);
                    acknowledged[device.Id] = device.Version;
                    device = await Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: stop.Token);
                    acknowledged[device.Id] = device.Version;
                    if (acknowledged.Count >= 200)
                    {
                        before.TrySetResult();
                    }

                    if (Volatile.Read(ref restarted) == 1 && device.Version == 2)
                    {
                        after.TrySetResult();
                    }
                }
                catch (DeviceStoreUnavailableException)
                {
                    // Cut off by the crash (the store's one error for it): this write failed, or its outcome is unknown; it is not acknowledged.
                    Interlocked.Increment(ref failures);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() => WriteAsync(w), Cancel)).ToList();
        await before.Task.WaitAsync(TimeSpan.FromSeconds(60), Cancel);
        await _server.StopImmediatelyAsync();
        await _server.StartAsync();
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref restarted, 1);
        await after.Task.WaitAsync(TimeSpan.FromSeconds(60), Cancel);
        clock.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // Recovery is one retry wait away (at most ~1 s with these options) plus a connection and two writes: seconds.
        // The bound is generous for a busy two-core machine, where PostgreSQL's own recovery shares the cores with the
        // test; a store stuck on dead pooled connections or on a long backoff would not recover within it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"The first acknowledged write after the restart took {clock.Elapsed}.");
        Assert.Contains("not properly shut down", await _server.ReadLogAsync(), StringComparison.Ordinal); // it was a crash: the server recovered from its WAL
        foreach (var (id, version) in acknowledged)
        {
            var device = await Store.GetAsync(id, Cancel);
            Assert.NotNull(device); // every acknowledged registration survived
            // At or past it: a write whose commit the crash cut off may still have been made (the store said its outcome was unknown).
            Assert.True(device.Version >= version, $"Device {device.Name} is at version {device.Version}; version {version} was acknowledged.");
        }

        foreach (var device in await Store.ListAsync(DeviceFilter.All, Cancel))
        {
            // No change without its history row, and no history row without its change.
            Assert.Equal(Enumerable.Range(1, (int)device.Version).Select(v => (long)v), (await Store.GetHistoryAsync(device.Id, Cancel)).Select(h => h.Version));
        }
    }

    [Fact]
    public async Task MigrateAsync_WhileTheServerRestarts_IsRetriedLikeEveryOtherCall_AndApplies()
    {
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Timeout = 2 }.ConnectionString);
        var store = new PostgresDeviceStore(dataSource, new PostgresStoreOptions { Schema = "restarted", TransientRetries = 30 });
        await _server.StopImmediatelyAsync();

        var migrate = store.MigrateAsync(Cancel); // refused connections until the server is back: retried, capped waits
        await _server.StartAsync();

        Assert.Equal(Internal.SchemaMigrator.Migrations.Count, await migrate.WaitAsync(TimeSpan.FromSeconds(120), Cancel));
        Assert.Empty(await store.ListAsync(DeviceFilter.All, Cancel));
    }

    [Fact]
    public async Task TerminatedBackends_OnlyTheOperationsOnThemFail_AndTheNextOnesGoThrough()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);

        // Every pooled connection of the store is killed behind its back; the next operations find them dead and retry on new ones.
        await _server.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flux-crash-test'");
        var read = await Registry.GetAsync(device.Id, Cancel);
        var updated = await Registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Site = "HMCE" }, cancellationToken: Cancel);

        Assert.Equal(device, read);
        Assert.Equal(("HMCE", 2L), (updated.Site, updated.Version));
    }

    [Fact]
    public async Task ThirtyTwoConcurrentRegistrationsOfOneEndpoint_LeaveOneRow_AndEveryCallerGetsItsId()
    {
        var discovery = _services!.GetRequiredService<IDeviceDiscoveryService>();
        var found = new DiscoveredDevice
        {
            Endpoint = new ModbusEndpoint("127.0.0.3"),
            UnitId = 1,
            DiscoveredAt = DateTimeOffset.UnixEpoch,
            Identity = new DeviceProbeResult { Probe = "sunspec", DeviceType = DeviceTypes.Bess, Manufacturer = "PowerPack", Model = "PP-500", SerialNumber = "PP-0042" },
        };
        var registration = new AutoRegistrationOptions
        {
            Site = "WLCE",
            Defaults = new Dictionary<string, DeviceMetadata> { ["bess"] = DeviceMetadata.Parse("""{"capacity_kwh": 500, "max_power_kw": 100, "efficiency": 0.92}""") },
        };
        var start = new AsyncBarrier(32);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(
            async () =>
            {
                await start.SignalAndWaitAsync();
                return await discovery.RegisterAsync(found, registration, Cancel);
            },
            Cancel)));

        var device = Assert.Single(await Store.ListAsync(DeviceFilter.All, Cancel));
        Assert.All(results, r => Assert.Equal(device.Id, r.Device!.Id));
        Assert.Equal(1, results.Count(r => r.Outcome == DiscoveryOutcome.Registered));
    }
}
