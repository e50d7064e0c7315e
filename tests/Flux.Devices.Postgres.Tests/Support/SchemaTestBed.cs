using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Postgres.Tests.Support;

/// <summary>
/// The registry on a migrated schema of its own, through a data source whose application name is the schema (so that a
/// test can find the store's backends in <c>pg_stat_activity</c>); the schema is dropped after.
/// </summary>
/// <param name="server">The test server.</param>
/// <param name="prefix">The schema name's prefix.</param>
public abstract class SchemaTestBed(PostgresServer server, string prefix) : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;
    private ServiceProvider? _services;

    /// <summary>Gets the test server.</summary>
    protected PostgresServer Server => server;

    /// <summary>Gets the schema, also the data source's application name.</summary>
    protected string Schema { get; private set; } = string.Empty;

    /// <summary>Gets the store's data source.</summary>
    protected NpgsqlDataSource DataSource => _dataSource!;

    /// <summary>Gets the registry's services.</summary>
    protected ServiceProvider Services => _services!;

    /// <summary>Gets the store.</summary>
    private protected PostgresDeviceStore Store => Services.GetRequiredService<PostgresDeviceStore>();

    /// <summary>Gets the registry.</summary>
    protected IDeviceRegistry Registry => Services.GetRequiredService<IDeviceRegistry>();

    /// <summary>Gets the test's cancellation token.</summary>
    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        Schema = await server.CreateSchemaAsync(prefix);
        _dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = Schema }.ConnectionString);
        var services = new ServiceCollection();
        services.AddSingleton(_dataSource);
        services.AddFluxDevices().UsePostgres(o => o.Schema = Schema);
        _services = services.BuildServiceProvider();
        await Store.MigrateAsync(Cancel);
    }

    /// <inheritdoc />
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

        await server.DropSchemaAsync(Schema);
        GC.SuppressFinalize(this);
    }
}
