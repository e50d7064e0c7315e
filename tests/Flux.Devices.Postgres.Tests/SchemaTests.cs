using Flux.Devices.Groups;
using Flux.Devices.Postgres.Internal;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>The schema: the spec's statements run as printed, migrations applied once however many processes start together.</summary>
public sealed class SchemaTests(PostgresServer server) : IAsyncLifetime
{
    // The spec's example statements, verbatim (device-registry.md, "Example BESS Registration", "Example Meter
    // Registration", "Example Groups" and the maintenance UPDATE with the device id filled in).
    private const string SpecStatements = """
        INSERT INTO flux.mg_device_registry (
        id, name, type, site, metadata, active
        ) VALUES (
        '11111111-1111-1111-1111-111111111111',
        'WLCE-BESS-01',
        'bess',
        'WLCE',
        '{
        "manufacturer": "PowerPack",
        "model": "PP-500",
        "capacity_kwh": 500,
        "max_power_kw": 100,
        "efficiency": 0.92,
        "modbus_address": 1,
        "firmware_version": "2.1.3"
        }'::jsonb,
        true
        );
        INSERT INTO flux.mg_device_registry (
        id, name, type, site, metadata, active
        ) VALUES (
        '22222222-2222-2222-2222-222222222222',
        'WLCE-GRID-METER',
        'meter',
        'WLCE',
        '{
        "manufacturer": "Accuenergy",
        "model": "Acuvim-II",
        "meter_type": "grid",
        "phases": 3,
        "ct_ratio": 100,
        "vt_ratio": 1,
        "modbus_address": 2,
        "register_map": "acuvim2_standard"
        }'::jsonb,
        true
        );
        -- BESS fleet for coordinated dispatch
        INSERT INTO flux.device_groups (name, site, group_type)
        VALUES ('WLCE-BESS-Fleet', 'WLCE', 'control');
        -- Critical meters for settlement
        INSERT INTO flux.device_groups (name, site, group_type)
        VALUES ('Settlement-Meters', 'ALL', 'monitoring');
        """;

    private readonly string _database = $"flux_spec_{Guid.NewGuid():N}"[..24];
    private string _connectionString = string.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        server.Require();
        await server.ExecuteAsync($"CREATE DATABASE {_database}");
        _connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = _database }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    [Fact]
    public async Task SpecStatements_RunVerbatimOnTheMigratedSchema_AndReadBackAsTypedDevicesAndGroups()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        var store = new PostgresDeviceStore(dataSource);
        Assert.Equal(SchemaMigrator.Migrations.Count, await store.MigrateAsync(Cancel));
        await Execute(dataSource, SpecStatements);
        await Execute(dataSource, SpecSamples.MaintenanceUpdate("flux", "id = '11111111-1111-1111-1111-111111111111'"));

        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var bess = (await registry.GetByNameAsync("WLCE-BESS-01", Cancel))!;
        var meter = (await registry.GetAsync(SpecSamples.MeterId, Cancel))!;

        // The spec's maintenance UPDATE puts the device in maintenance, as MaintenanceService would, and is in its history.
        Assert.Equal((SpecSamples.BessId, DeviceTypes.Bess, "WLCE", false, DeviceState.Maintenance, 2L), (bess.Id, bess.Type, bess.Site, bess.Active, bess.State, bess.Version));
        Assert.Equal(500, BessMetadata.From(bess.Metadata).CapacityKwh);
        Assert.Equal("Firmware upgrade", Maintenance.MaintenanceInfo.TryRead(bess.Metadata, out var maintenance) ? maintenance.Reason : null);
        Assert.Equal(TimeSpan.FromHours(2), maintenance!.ExpectedDuration);
        Assert.Equal(("acuvim2_standard", 3), (MeterMetadata.From(meter.Metadata).RegisterMap, MeterMetadata.From(meter.Metadata).Phases));
        Assert.Equal(
            [("Settlement-Meters", "ALL", DeviceGroupType.Monitoring), ("WLCE-BESS-Fleet", "WLCE", DeviceGroupType.Control)],
            (await store.ListGroupsAsync(Cancel)).Select(g => (g.Name, g.Site, g.GroupType)));
        Assert.Equal([bess.Name, meter.Name], (await registry.ListAsync(DeviceFilter.Parse("site=WLCE"), Cancel)).Select(d => d.Name));
        var external = Assert.Single(await store.GetHistoryAsync(bess.Id, Cancel)); // inserted by another tool: no entry for version 1
        Assert.Equal((2L, Lifecycle.DeviceChangeKind.External, DeviceState.Registered, DeviceState.Maintenance), (external.Version, external.Kind, external.FromState, external.ToState));
        Assert.Equal(["active", "metadata.maintenance"], external.ChangedFields);

        var updated = await registry.UpdateAsync(meter.Id, meter.Version, new DeviceUpdate { Metadata = meter.Metadata.With("ct_ratio", 200L) }, cancellationToken: Cancel);
        Assert.Equal(2, updated.Version);
        Assert.Equal(2, Assert.Single(await store.GetHistoryAsync(meter.Id, Cancel)).Version);
    }

    [Fact]
    public async Task MigrateAsync_EightProcessesAtOnce_ApplyTheSchemaOnce_AndAgainIsANoOp()
    {
        var sources = Enumerable.Range(0, 8).Select(_ => NpgsqlDataSource.Create(_connectionString)).ToList();
        try
        {
            var applied = await Task.WhenAll(sources.Select(s => Task.Run(() => new PostgresDeviceStore(s).MigrateAsync(Cancel), Cancel)));

            Assert.Equal(SchemaMigrator.Migrations.Count, applied.Sum());
            Assert.Single(applied, a => a > 0);
            Assert.Equal(0, await new PostgresDeviceStore(sources[0]).MigrateAsync(Cancel));
            await using var command = sources[0].CreateCommand("SELECT count(*) FROM flux.schema_migrations");
            Assert.Equal((long)SchemaMigrator.Migrations.Count, await command.ExecuteScalarAsync(Cancel));
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Metadata_ThatIsNotAnObject_IsRefusedByTheSchema()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await new PostgresDeviceStore(dataSource).MigrateAsync(Cancel);

        var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(dataSource, "INSERT INTO flux.mg_device_registry (name, type, site, metadata) VALUES ('X', 'bess', 'WLCE', '[1, 2]')"));

        Assert.Equal("mg_device_registry_metadata_is_object", error.ConstraintName);
    }

    [Fact]
    public async Task ApplySchemaOnStartup_MigratesWhenTheHostStarts_InTheConfiguredSchema()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices().UsePostgres(_connectionString, o => o.Schema = "site_wlce").ApplySchemaOnStartup();
        using var host = builder.Build();

        await host.StartAsync(Cancel);
        var registry = host.Services.GetRequiredService<IDeviceRegistry>();
        var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        await host.StopAsync(Cancel);

        Assert.Equal(device, await host.Services.GetRequiredService<PostgresDeviceStore>().GetAsync(device.Id, Cancel));
        Assert.Equal("site_wlce", host.Services.GetRequiredService<PostgresDeviceStore>().Schema);
    }

    [Fact]
    public void UsePostgres_WithABadSchemaName_FailsAtStart()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UsePostgres(_connectionString, o => o.Schema = "flux; DROP TABLE x");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Storage.IDeviceStore>());

        Assert.Contains("Schema", error.Message, StringComparison.Ordinal);
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
