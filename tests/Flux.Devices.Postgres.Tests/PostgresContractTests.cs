using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Testing;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>A PostgreSQL store in a schema of its own for each contract test, dropped after it.</summary>
internal sealed class ContractSchema(PostgresServer server)
{
    private NpgsqlDataSource? _dataSource;
    private string? _schema;

    public async ValueTask<PostgresDeviceStore> CreateAsync()
    {
        _schema = await server.CreateSchemaAsync("contract");
        _dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        var store = new PostgresDeviceStore(_dataSource, new PostgresStoreOptions { Schema = _schema });
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return store;
    }

    public async ValueTask DropAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_schema is not null)
        {
            await server.DropSchemaAsync(_schema);
        }
    }
}

/// <summary>The PostgreSQL store against the contract of devices and their history.</summary>
public sealed class PostgresRegistryStoreTests(PostgresServer server) : DeviceRegistryStoreContractTests
{
    private readonly ContractSchema _schema = new(server);

    protected override async ValueTask<IDeviceRegistryStore> CreateStoreAsync() => await _schema.CreateAsync();

    protected override ValueTask DisposeStoreAsync(IDeviceRegistryStore store) => _schema.DropAsync();
}

/// <summary>The PostgreSQL store against the contract of groups and members.</summary>
public sealed class PostgresGroupStoreTests(PostgresServer server) : DeviceGroupStoreContractTests
{
    private readonly ContractSchema _schema = new(server);

    protected override async ValueTask<IDeviceStore> CreateStoreAsync() => await _schema.CreateAsync();

    protected override ValueTask DisposeStoreAsync(IDeviceStore store) => _schema.DropAsync();
}

/// <summary>The PostgreSQL store against the contract of health samples.</summary>
public sealed class PostgresHealthSampleStoreTests(PostgresServer server) : HealthSampleStoreContractTests
{
    private readonly ContractSchema _schema = new(server);

    protected override async ValueTask<IHealthSampleStore> CreateStoreAsync() => await _schema.CreateAsync();

    protected override ValueTask DisposeStoreAsync(IHealthSampleStore store) => _schema.DropAsync();
}

/// <summary>The PostgreSQL store against the contract of telemetry.</summary>
public sealed class PostgresTelemetryStoreTests(PostgresServer server) : TelemetryStoreContractTests
{
    private readonly ContractSchema _schema = new(server);

    protected override async ValueTask<ITelemetryStore> CreateStoreAsync() => await _schema.CreateAsync();

    protected override ValueTask DisposeStoreAsync(ITelemetryStore store) => _schema.DropAsync();
}

/// <summary>The PostgreSQL store against the contract of retention.</summary>
public sealed class PostgresRetentionStoreTests(PostgresServer server) : RetentionStoreContractTests
{
    private readonly ContractSchema _schema = new(server);

    protected override async ValueTask<IRetentionStore> CreateStoreAsync() => await _schema.CreateAsync();

    protected override ValueTask DisposeStoreAsync(IRetentionStore store) => _schema.DropAsync();
}

/// <summary>The PostgreSQL store against the contract of the archive.</summary>
public sealed class PostgresArchiveStoreTests(PostgresServer server) : ArchiveStoreContractTests
{
    private readonly ContractSchema _schema = new(server);

    protected override async ValueTask<IDeviceArchiveStore> CreateStoreAsync() => await _schema.CreateAsync();

    protected override ValueTask DisposeStoreAsync(IDeviceArchiveStore store) => _schema.DropAsync();
}

/// <summary>The PostgreSQL store against the contract of the maintenance schedule.</summary>
public sealed class PostgresMaintenanceScheduleStoreTests(PostgresServer server) : MaintenanceScheduleStoreContractTests
{
    private readonly ContractSchema _schema = new(server);

    protected override async ValueTask<IMaintenanceScheduleStore> CreateStoreAsync() => await _schema.CreateAsync();

    protected override ValueTask DisposeStoreAsync(IMaintenanceScheduleStore store) => _schema.DropAsync();
}
