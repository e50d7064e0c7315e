using Flux.Devices.Postgres.Tests.Support;
using Flux.Devices.Specification.Tests;
using Flux.Devices.Storage;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>The PostgreSQL store against the store contract, each test in a schema of its own.</summary>
public sealed class PostgresDeviceStoreTests(PostgresServer server) : DeviceStoreContractTests
{
    private NpgsqlDataSource? _dataSource;
    private string? _schema;

    protected override async ValueTask<IDeviceStore> CreateStoreAsync()
    {
        _schema = await server.CreateSchemaAsync("contract");
        _dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        var store = new PostgresDeviceStore(_dataSource, new PostgresStoreOptions { Schema = _schema });
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return store;
    }

    protected override async ValueTask DisposeStoreAsync(IDeviceStore store)
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
