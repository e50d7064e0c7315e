using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flux.Devices.Postgres.Internal;

/// <summary>Checks the attribute rules on <see cref="PostgresStoreOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class PostgresStoreOptionsValidator : IValidateOptions<PostgresStoreOptions>;

/// <summary>
/// The data source the store makes from a connection string, disposed with the container; Npgsql logs to the container's
/// <see cref="ILoggerFactory"/> when there is one.
/// </summary>
internal sealed class OwnedDataSource(ILoggerFactory? loggerFactory = null) : IAsyncDisposable, IDisposable
{
    private readonly Lock _lock = new();
    private NpgsqlDataSource? _dataSource;

    public NpgsqlDataSource Get(string connectionString)
    {
        lock (_lock)
        {
            return _dataSource ??= Build(connectionString);
        }
    }

    public ValueTask DisposeAsync() => _dataSource?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _dataSource?.Dispose();

    private NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        return builder.Build();
    }
}

/// <summary>Applies the schema's migrations at host start.</summary>
internal sealed class SchemaMigrationService(PostgresDeviceStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
