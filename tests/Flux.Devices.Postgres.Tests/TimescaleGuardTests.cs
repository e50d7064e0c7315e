using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// The migrations' TimescaleDB branch (device_health in version 1, device_telemetry in version 3), taken where the
/// extension is installed: checked against a stand-in whose <c>create_hypertable</c> records its calls
/// (<see cref="PostgresServer.InstallTimescaleStandInAsync"/>), in a database of its own with the extension created.
/// </summary>
public sealed class TimescaleGuardTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _database = $"flux_tsdb_{Guid.NewGuid():N}"[..24];
    private string _connectionString = string.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await server.InstallTimescaleStandInAsync();
        await server.ExecuteAsync($"CREATE DATABASE {_database}");
        _connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = _database }.ConnectionString;
        await ExecuteAsync("CREATE EXTENSION timescaledb");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    [Fact]
    public async Task Migrate_WithTimescaleDb_MakesDeviceHealthAndDeviceTelemetryHypertables_AndTheStoreWorksOnThem()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        var store = new PostgresDeviceStore(dataSource);

        Assert.Equal(7, await store.MigrateAsync(Cancel)); // 5, the archive tables: ordinary tables, no call; 6, maintenance windows; 7, device leases

        Assert.Equal(
            [
                ("flux.device_health", "timestamp", (string?)null, true, true, false),
                ("flux.device_telemetry", "timestamp", "1 day", false, true, false),
            ],
            await CallsAsync());

        // The tables serve as they do without TimescaleDB.
        var (device, entry) = NewDevice();
        await store.AddAsync(device, entry, Cancel);
        var now = StoredTime.ToMicroseconds(DateTimeOffset.UtcNow);
        await store.AppendHealthAsync([new DeviceHealthSample { DeviceId = device.Id, Timestamp = now, Status = DeviceHealthStatus.Online }], Cancel);
        var reading = new TelemetryReading { DeviceId = device.Id, Point = "soe", Value = 250, Timestamp = now };
        await store.AppendTelemetryAsync([reading], Cancel);
        Assert.Equal([reading], await store.GetTelemetryAsync(device.Id, null, now, now.AddSeconds(1), Cancel));
    }

    [Fact]
    public async Task Migrate_FromVersion3WithTimescaleDb_MakesOnlyDeviceTelemetryAHypertable_WithDeviceHealthHoldingRows()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        var store = new PostgresDeviceStore(dataSource);
        await store.MigrateAsync(Cancel);
        var (device, entry) = NewDevice();
        await store.AddAsync(device, entry, Cancel);
        await store.AppendHealthAsync([new DeviceHealthSample { DeviceId = device.Id, Timestamp = StoredTime.ToMicroseconds(DateTimeOffset.UtcNow), Status = DeviceHealthStatus.Online }], Cancel);

        // Back to version 3, as a database made before telemetry was: its device_health is a hypertable with rows.
        await ExecuteAsync("""
            DROP TABLE flux.device_telemetry_archive, flux.device_health_archive;
            DROP TABLE flux.device_telemetry;
            DROP INDEX flux.device_health_timestamp;
            DROP TABLE flux.maintenance_windows;
            DROP TABLE flux.device_leases, flux.monitor_instances;
            DROP SEQUENCE flux.lease_token_seq;
            DELETE FROM flux.schema_migrations WHERE version >= 4;
            TRUNCATE public.flux_hypertable_calls;
            """);

        Assert.Equal(4, await store.MigrateAsync(Cancel)); // 4: telemetry; 5: archive; 6: maintenance windows; 7: device leases

        Assert.Equal([("flux.device_telemetry", "timestamp", (string?)"1 day", false, true, false)], await CallsAsync());
    }

    [Fact]
    public async Task StandIn_RefusesWhatTheRealFunctionRefuses_SoTheTestsCannotPassOnACallTimescaleDbWouldReject()
    {
        await ExecuteAsync("CREATE TABLE unique_without_time (id INT PRIMARY KEY, at TIMESTAMPTZ NOT NULL); CREATE TABLE with_rows (at TIMESTAMPTZ NOT NULL); INSERT INTO with_rows VALUES (now());");

        var unique = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("SELECT create_hypertable('unique_without_time', 'at')"));
        Assert.Contains("unique index", unique.MessageText, StringComparison.Ordinal);
        var rows = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("SELECT create_hypertable('with_rows', 'at')"));
        Assert.Contains("not empty", rows.MessageText, StringComparison.Ordinal);
        var name = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("SELECT create_hypertable('with_rows', 'at', no_such_parameter => true)"));
        Assert.Equal(PostgresErrorCodes.UndefinedFunction, name.SqlState);
        Assert.Empty(await CallsAsync());
    }

    private static (Device Device, Lifecycle.DeviceHistoryEntry Entry) NewDevice()
    {
        var now = StoredTime.ToMicroseconds(DateTimeOffset.UtcNow);
        var device = new Device
        {
            Id = Guid.NewGuid(),
            Name = "TSDB-BESS",
            Type = DeviceTypes.Bess,
            Site = "WLCE",
            Metadata = SpecSamples.Bess().Metadata,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return (device, new Lifecycle.DeviceHistoryEntry { DeviceId = device.Id, Version = 1, Kind = Lifecycle.DeviceChangeKind.Registered, ToState = DeviceState.Registered, Timestamp = now });
    }

    private async Task<List<(string, string, string?, bool, bool, bool)>> CallsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(
            "SELECT relation, time_column_name::text, chunk_time_interval, create_default_indexes, if_not_exists, migrate_data FROM public.flux_hypertable_calls ORDER BY call_order",
            connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var calls = new List<(string, string, string?, bool, bool, bool)>();
        while (await reader.ReadAsync(Cancel))
        {
            calls.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5)));
        }

        return calls;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
