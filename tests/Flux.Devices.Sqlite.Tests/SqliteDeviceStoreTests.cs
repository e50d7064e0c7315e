using Flux.Devices.Specification.Tests;
using Flux.Devices.Storage;
using Flux.Devices.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

/// <summary>A SQLite store on a file of its own for each contract test, released and deleted after it.</summary>
internal sealed class ContractFile
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    public SqliteDeviceStore Create() => new(Path.Combine(_directory, "flux.db"));

    public ValueTask ReleaseAsync(object store)
    {
        ((SqliteDeviceStore)store).Dispose();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The embedded SQLite store against the contract of devices and their history.</summary>
public sealed class SqliteRegistryStoreTests : DeviceRegistryStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IDeviceRegistryStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IDeviceRegistryStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of groups and members.</summary>
public sealed class SqliteGroupStoreTests : DeviceGroupStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IDeviceStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IDeviceStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of health samples.</summary>
public sealed class SqliteHealthSampleStoreTests : HealthSampleStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IHealthSampleStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IHealthSampleStore store) => _file.ReleaseAsync(store);
}

/// <summary>What only a file gives: the registry outlives the process that wrote it.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ASecondStoreOnTheSameFile_ReadsWhatTheFirstWrote()
    {
        var path = Path.Combine(_directory, "site.db");
        var first = new SqliteDeviceStore(path);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(first);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: TestContext.Current.CancellationToken);
        first.Dispose();

        var second = new SqliteDeviceStore(path);

        Assert.Equal(device, await second.GetAsync(device.Id, TestContext.Current.CancellationToken));
        Assert.Single(await second.GetHistoryAsync(device.Id, TestContext.Current.CancellationToken));
        second.Dispose();
    }
}

/// <summary>
/// The file shared with other writers (the sqlite3 shell, another program) that know nothing of the version column:
/// their changes are never undone by a stale compare-and-set, show in the history, and the spec's maintenance
/// statement reads as maintenance.
/// </summary>
public sealed class SqliteOtherWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AStaleUpdate_AfterTheSpecsMaintenanceStatement_IsAConflict_AndTheDeviceIsInMaintenance()
    {
        var (path, store, provider) = Open();
        await using var services = provider;
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);

        await ExecuteAsync(path, $"""
            UPDATE mg_device_registry SET active = 0,
                metadata = json_set(metadata, '$.maintenance', json('{"{"}"started_at": "2024-01-01T10:00:00Z", "reason": "Firmware upgrade", "expected_duration": "2 hours"{"}"}'))
            WHERE id = '{device.Id}';
            """);

        await Assert.ThrowsAsync<DeviceConcurrencyException>(() => registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Metadata = device.Metadata.With("note", "x") }, cancellationToken: Cancel).AsTask());
        var stored = (await registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal((DeviceState.Maintenance, false, 2L, false), (stored.State, stored.Active, stored.Version, stored.Metadata.ContainsKey("note")));
        var entry = (await store.GetHistoryAsync(device.Id, Cancel))[^1];
        Assert.Equal((2L, Lifecycle.DeviceChangeKind.External, DeviceState.Registered, DeviceState.Maintenance), (entry.Version, entry.Kind, entry.FromState, entry.ToState));
        Assert.Equal(["active", "metadata.maintenance"], entry.ChangedFields);

        var exited = await provider.GetRequiredService<Maintenance.IMaintenanceService>().ExitAsync(device.Id, "flux", Cancel);
        Assert.Equal((DeviceState.Testing, true, 3L), (exited.State, exited.Active, exited.Version));
        store.Dispose();
    }

    [Fact]
    public async Task AnUpdateThatChangesNothing_LeavesTheVersionAlone_AndAnyChangeMovesIt()
    {
        var (path, store, provider) = Open();
        await using var services = provider;
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);

        await ExecuteAsync(path, $"UPDATE mg_device_registry SET site = site WHERE id = '{device.Id}'");
        Assert.Equal(device, await registry.GetAsync(device.Id, Cancel));

        await ExecuteAsync(path, $"UPDATE mg_device_registry SET site = 'WLCE-NORTH' WHERE id = '{device.Id}'");
        var changed = (await registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal(("WLCE-NORTH", 2L, DeviceState.Registered), (changed.Site, changed.Version, changed.State));
        Assert.True(changed.UpdatedAt >= device.UpdatedAt);
        Assert.Equal(["site"], (await store.GetHistoryAsync(device.Id, Cancel))[^1].ChangedFields);
        store.Dispose();
    }

    private (string Path, SqliteDeviceStore Store, ServiceProvider Provider) Open()
    {
        var path = Path.Combine(_directory, "site.db");
        var store = new SqliteDeviceStore(path);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        return (path, store, services.BuildServiceProvider());
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
