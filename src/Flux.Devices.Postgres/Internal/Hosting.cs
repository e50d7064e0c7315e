using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flux.Devices.Postgres.Internal;

/// <summary>Checks the attribute rules on <see cref="PostgresStoreOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class PostgresStoreOptionsValidator : IValidateOptions<PostgresStoreOptions>;

/// <summary>The data source the store makes from a connection string, disposed with the container.</summary>
internal sealed class OwnedDataSource : IAsyncDisposable, IDisposable
{
    private readonly Lock _lock = new();
    private NpgsqlDataSource? _dataSource;

    public NpgsqlDataSource Get(string connectionString)
    {
        lock (_lock)
        {
            return _dataSource ??= NpgsqlDataSource.Create(connectionString);
        }
    }

    public ValueTask DisposeAsync() => _dataSource?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _dataSource?.Dispose();
}

/// <summary>Applies the schema's migrations at host start.</summary>
internal sealed class SchemaMigrationService(PostgresDeviceStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
