using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

/// <summary>
/// The schema as embedded migrations (<c>Migrations/*.sql</c>) recorded in <c>schema_migrations</c>: a new file gets each
/// once, a file made by the store before the migrations were files (<c>Fixtures/schema-v2.db</c>, written by that code
/// with the spec's BESS registered) opens as it is, and the two have the same schema.
/// </summary>
public sealed class SqliteSchemaTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ANewFile_GetsEachMigrationOnce_RecordedWithItsName()
    {
        var path = Path.Combine(_directory, "new.db");
        using var first = new SqliteDeviceStore(path);
        using var second = new SqliteDeviceStore(path);

        Assert.Equal(6, await first.MigrateAsync(Cancel));
        Assert.Equal(0, await second.MigrateAsync(Cancel));
        Assert.Equal(["1 initial", "2 other_writers", "3 control_history", "4 telemetry", "5 archive", "6 maintenance_windows"], await RowsAsync(path, "SELECT version || ' ' || name FROM schema_migrations ORDER BY version"));
        Assert.Equal(["wal"], await RowsAsync(path, "PRAGMA journal_mode"));
    }

    [Fact]
    public async Task AFileMadeByThePreviousCode_Opens_ReadsAndWrites_AndHasTheSameSchemaAsANewFile()
    {
        var old = Path.Combine(_directory, "old.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "schema-v2.db"), old);
        var fresh = Path.Combine(_directory, "new.db");
        using (var store = new SqliteDeviceStore(fresh))
        {
            await store.MigrateAsync(Cancel);
        }

        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(old);
        await using (var provider = services.BuildServiceProvider())
        {
            Assert.Equal(4, await provider.GetRequiredService<IDeviceStoreSchema>().MigrateAsync(Cancel)); // 3: the history's control column; 4: telemetry; 5: archive; 6: maintenance windows
            var registry = provider.GetRequiredService<IDeviceRegistry>();
            var bess = Assert.Single(await registry.ListAsync(cancellationToken: Cancel));
            Assert.Equal(SpecSamples.Bess().Name, bess.Name);
            var updated = await registry.UpdateAsync(bess.Id, bess.Version, new DeviceUpdate { Site = "NEW" }, cancellationToken: Cancel);
            Assert.Equal(2, updated.Version);
        }

        const string Schema = "SELECT type || ' ' || name || ' ' || tbl_name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name";
        Assert.Equal(await RowsAsync(fresh, Schema), await RowsAsync(old, Schema));
    }

    [Fact]
    public async Task AFileAtVersion1_GetsOnlyTheMigrationsItLacks()
    {
        var path = Path.Combine(_directory, "v1.db");
        using (var store = new SqliteDeviceStore(path))
        {
            await store.MigrateAsync(Cancel);
        }

        await RowsAsync(path, "DROP TRIGGER mg_device_registry_other_writer; ALTER TABLE device_history DROP COLUMN control; DROP TABLE device_telemetry_archive; DROP TABLE device_health_archive; DROP TABLE device_telemetry; DROP TABLE maintenance_windows; DELETE FROM schema_migrations WHERE version >= 2; SELECT 1");
        SqliteConnection.ClearAllPools();
        using var upgraded = new SqliteDeviceStore(path);

        Assert.Equal(5, await upgraded.MigrateAsync(Cancel));
        Assert.Equal(["device_telemetry"], await RowsAsync(path, "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%telemetry'"));
        Assert.Equal(["mg_device_registry_other_writer"], await RowsAsync(path, "SELECT name FROM sqlite_master WHERE type = 'trigger'"));
    }

    private static async Task<List<string>> RowsAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(Cancel);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(reader.GetValue(0).ToString()!);
        }

        return rows;
    }
}
