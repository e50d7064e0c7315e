using System.Text.Json;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Postgres.Internal;
using Flux.Devices.Postgres.Tests.Support;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// The store shared with writers that know nothing of the library's version column: psql running the spec's own SQL,
/// another application. Their changes must never be undone by a stale compare-and-set, must show in the history, and
/// the spec's maintenance statement must read as maintenance. Also: roles that may only read and write rows, and the
/// diagnostics other tools write.
/// </summary>
public sealed class OtherWritersTests(PostgresServer server) : SchemaTestBed(server, "writers")
{
    [Fact]
    public async Task AStaleUpdate_WaitingOnTheSpecsMaintenanceUpdate_IsAConflict_AndTheOtherWritersChangeStays()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);

        // psql: BEGIN; the spec's UPDATE; ... while flux reads the device and updates it on the version it read.
        await using var psql = await OpenAsPsqlAsync();
        await using var transaction = await psql.BeginTransactionAsync(Cancel);
        await ExecuteAsync(psql, transaction, SpecMaintenanceUpdate(device.Id));
        var read = (await Registry.GetAsync(device.Id, Cancel))!;
        var update = Registry.UpdateAsync(read.Id, read.Version, new DeviceUpdate { Metadata = read.Metadata.With("note", "x") }, "flux", Cancel).AsTask();
        await Server.WaitUntilABackendWaitsOnALockAsync(Schema);
        await transaction.CommitAsync(Cancel);

        var conflict = await Assert.ThrowsAsync<DeviceConcurrencyException>(() => update.WaitAsync(TimeSpan.FromSeconds(30), Cancel));
        Assert.Equal(device.Version + 1, conflict.ActualVersion);
        var stored = (await Registry.GetAsync(device.Id, Cancel))!;
        Assert.False(stored.Active);
        Assert.True(MaintenanceInfo.TryRead(stored.Metadata, out var maintenance));
        Assert.Equal("Firmware upgrade", maintenance.Reason);
        Assert.False(stored.Metadata.ContainsKey("note"));
        Assert.Equal(DeviceState.Maintenance, stored.State);
        var entry = (await Store.GetHistoryAsync(device.Id, Cancel))[^1];
        Assert.Equal((stored.Version, DeviceChangeKind.External, DeviceState.Registered, DeviceState.Maintenance), (entry.Version, entry.Kind, entry.FromState, entry.ToState));
        Assert.EndsWith(" (psql)", entry.Actor, StringComparison.Ordinal); // the database role, and the application it said it was
        Assert.Equal(["active", "metadata.maintenance"], entry.ChangedFields);
    }

    [Fact]
    public async Task AStaleUpdate_AfterAnyOtherWriterCommitted_IsAConflict()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        await Server.ExecuteAsync($"UPDATE {Schema}.mg_device_registry SET site = 'WLCE-NORTH', metadata = metadata || '{{\"firmware_version\": \"2.2.0\"}}' WHERE id = '{device.Id}'");

        await Assert.ThrowsAsync<DeviceConcurrencyException>(() => Registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Site = "WLCE" }, cancellationToken: Cancel).AsTask());

        var stored = (await Registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal(("WLCE-NORTH", "2.2.0", device.Version + 1, DeviceState.Registered), (stored.Site, BessMetadata.From(stored.Metadata).FirmwareVersion, stored.Version, stored.State));
        var entry = (await Store.GetHistoryAsync(device.Id, Cancel))[^1];
        Assert.Equal((DeviceChangeKind.External, DeviceState.Registered, DeviceState.Registered), (entry.Kind, entry.FromState, entry.ToState));
        Assert.Equal(["site", "metadata.firmware_version"], entry.ChangedFields);
        Assert.False(string.IsNullOrEmpty(entry.Actor));

        // The library's own next write, on the version it reads now, carries on the chain.
        var updated = await Registry.UpdateAsync(stored.Id, stored.Version, new DeviceUpdate { Site = "WLCE" }, cancellationToken: Cancel);
        Assert.Equal(
            [1L, 2L, 3L],
            (await Store.GetHistoryAsync(device.Id, Cancel)).Select(e => e.Version));
        Assert.Equal("WLCE", updated.Site);
    }

    [Fact]
    public async Task AnUpdateThatChangesNothing_LeavesTheVersionAndHistoryAlone()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);

        await Server.ExecuteAsync($"UPDATE {Schema}.mg_device_registry SET site = site, metadata = metadata WHERE id = '{device.Id}'");

        Assert.Equal(device, await Registry.GetAsync(device.Id, Cancel));
        Assert.Single(await Store.GetHistoryAsync(device.Id, Cancel));
    }

    [Fact]
    public async Task TheSpecsMaintenanceUpdate_ReadsAsMaintenance_AndExitWorks()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);

        await Server.ExecuteAsync(SpecMaintenanceUpdate(device.Id));

        var inMaintenance = (await Registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal((DeviceState.Maintenance, false), (inMaintenance.State, inMaintenance.Active));
        Assert.False(inMaintenance.ShouldPoll);
        var exited = await Services.GetRequiredService<IMaintenanceService>().ExitAsync(device.Id, "flux", Cancel);
        Assert.Equal((DeviceState.Testing, true, false), (exited.State, exited.Active, exited.Metadata.ContainsKey("maintenance")));
        Assert.Equal(
            [DeviceChangeKind.Registered, DeviceChangeKind.External, DeviceChangeKind.Transitioned],
            (await Store.GetHistoryAsync(device.Id, Cancel)).Select(e => e.Kind));
    }

    [Fact]
    public async Task AnotherWriterEndingMaintenance_TakesTheDeviceToTesting()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        await Server.ExecuteAsync(SpecMaintenanceUpdate(device.Id));

        await Server.ExecuteAsync($"UPDATE {Schema}.mg_device_registry SET active = true, metadata = metadata - 'maintenance' WHERE id = '{device.Id}'");

        var stored = (await Registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal((DeviceState.Testing, true, 3L), (stored.State, stored.Active, stored.Version));
    }

    [Fact]
    public async Task RowsPutInMaintenanceBeforeTheTriggerExisted_ReadAsMaintenanceOnceMigrated()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        await Server.ExecuteAsync($"DROP TRIGGER mg_device_registry_other_writer ON {Schema}.mg_device_registry; DELETE FROM {Schema}.schema_migrations WHERE version > 1");
        await Server.ExecuteAsync(SpecMaintenanceUpdate(device.Id));
        Assert.Equal(DeviceState.Registered, (await Registry.GetAsync(device.Id, Cancel))!.State);

        Assert.Equal(SchemaMigrator.Migrations.Count - 1, await Store.MigrateAsync(Cancel));

        Assert.Equal((DeviceState.Maintenance, 2L), ((await Registry.GetAsync(device.Id, Cancel))!.State, (await Registry.GetAsync(device.Id, Cancel))!.Version));
    }

    [Fact]
    public async Task ARoleWithOnlyRowPrivileges_UsesACurrentSchema_AndIsToldClearlyWhenItIsBehind()
    {
        var role = $"flux_rw_{Schema}"[..Math.Min(63, 8 + Schema.Length)];
        await Server.ExecuteAsync($"""
            CREATE ROLE {role} LOGIN;
            GRANT USAGE ON SCHEMA {Schema} TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {Schema} TO {role};
            """);
        try
        {
            await using (var limited = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Username = role }.ConnectionString))
            {
                var store = new PostgresDeviceStore(limited, new PostgresStoreOptions { Schema = Schema });
                Assert.Equal(0, await store.MigrateAsync(Cancel));
                var services = new ServiceCollection();
                services.AddFluxDevices().UseStore(store);
                await using var provider = services.BuildServiceProvider();
                var registry = provider.GetRequiredService<IDeviceRegistry>();
                var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
                await registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Site = "WLCE-NORTH" }, cancellationToken: Cancel);
                Assert.Single(await registry.ListAsync(DeviceFilter.Parse("site=WLCE-NORTH"), Cancel));

                await Server.ExecuteAsync($"DELETE FROM {Schema}.schema_migrations WHERE version > 1");
                var behind = await Assert.ThrowsAsync<DeviceStoreSchemaException>(() => store.MigrateAsync(Cancel));

                Assert.Equal((Schema, 1, SchemaMigrator.LatestVersion, role), (behind.Schema, behind.AppliedVersion, behind.RequiredVersion, behind.Role));
                Assert.Contains($"is at version 1 and this library needs version {SchemaMigrator.LatestVersion}", behind.Message, StringComparison.Ordinal);
                Assert.Contains($"role \"{role}\" may not", behind.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', behind.Message);
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(behind.InnerException).SqlState);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Server.ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    [Fact]
    public async Task DiagnosticsWrittenByAnotherTool_KeepTheirOwnKeys_AndNeverBreakARead()
    {
        var device = await Registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        await Server.ExecuteAsync($$"""
            INSERT INTO {{Schema}}.device_health (device_id, timestamp, status, error_count, diagnostics) VALUES
            ('{{device.Id}}', '2026-01-01T00:00:00Z', 'offline', 1, '{"error_kind": "timeout", "attempts": 2, "gateway": "GW-7", "retries": [1, 2]}'),
            ('{{device.Id}}', '2026-01-01T00:01:00Z', 'offline', 2, '{"error_kind": "brownout", "attempts": "three", "exception_code": 2}'),
            ('{{device.Id}}', '2026-01-01T00:02:00Z', 'offline', 3, '"free text"');
            """);

        var samples = await Store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel);

        var first = samples[0].Diagnostics!;
        Assert.Equal((HealthErrorKind.Timeout, 2), (first.ErrorKind, first.Attempts));
        Assert.Equal(["gateway", "retries"], first.AdditionalProperties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("GW-7", first.AdditionalProperties["gateway"].GetString());
        var second = samples[1].Diagnostics!;
        Assert.Equal(((HealthErrorKind?)null, 0, (int?)2), (second.ErrorKind, second.Attempts, second.ExceptionCode));
        Assert.Equal("brownout", second.AdditionalProperties["error_kind"].GetString());
        Assert.Equal("three", second.AdditionalProperties["attempts"].GetString());
        Assert.Equal("free text", samples[2].Diagnostics!.AdditionalProperties["value"].GetString());

        // Written back through the store, the other tool's keys are kept as they were.
        var copy = samples[0] with { Timestamp = samples[0].Timestamp.AddMinutes(10) };
        await Store.AppendHealthAsync([copy], Cancel);
        Assert.Equal(copy, await Store.GetLatestHealthAsync(device.Id, Cancel));
        await using var command = DataSource.CreateCommand($"SELECT diagnostics->>'gateway' FROM {Schema}.device_health WHERE device_id = $1 ORDER BY timestamp DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter { Value = device.Id });
        Assert.Equal("GW-7", await command.ExecuteScalarAsync(Cancel));
        Assert.Equal(JsonValueKind.Array, (await Store.GetLatestHealthAsync(device.Id, Cancel))!.Diagnostics!.AdditionalProperties["retries"].ValueKind);
    }

    private async Task<NpgsqlConnection> OpenAsPsqlAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server.ConnectionString) { ApplicationName = "psql", Pooling = false }.ConnectionString);
        await connection.OpenAsync(Cancel);
        return connection;
    }

    private string SpecMaintenanceUpdate(Guid id) => SpecSamples.MaintenanceUpdate(Schema, $"id = '{id}'");

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
