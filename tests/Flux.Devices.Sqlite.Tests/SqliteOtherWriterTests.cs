using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

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
