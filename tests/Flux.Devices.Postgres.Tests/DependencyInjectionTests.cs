using System.Collections.Concurrent;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Postgres.Tests;

/// <summary><c>UsePostgres</c> in a container: the data source it makes logs to the host and is disposed with it.</summary>
public sealed class DependencyInjectionTests(PostgresServer server) : IAsyncLifetime
{
    private string _schema = string.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _schema = await server.CreateSchemaAsync("hosting");

    public async ValueTask DisposeAsync() => await server.DropSchemaAsync(_schema);

    [Fact]
    public async Task UsePostgres_ConnectionString_NpgsqlLogsToTheHostsLoggers()
    {
        var logs = new CollectingLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddFluxDevices().UsePostgres(server.ConnectionString, o => o.Schema = _schema).ApplySchemaOnStartup();
        using var host = builder.Build();

        await host.StartAsync(Cancel);
        await host.Services.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        await host.StopAsync(Cancel);

        Assert.Contains(logs.Entries, e => e.Category.StartsWith("Npgsql.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispose_Synchronous_EveryServiceResolved_DoesNotThrow()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFluxDevices().UsePostgres(server.ConnectionString, o => o.Schema = _schema).ApplySchemaOnStartup();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var type in services.Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            _ = provider.GetServices(type).ToList();
        }

        var store = provider.GetRequiredService<PostgresDeviceStore>();
        await store.MigrateAsync(Cancel); // the data source is made and holds a pooled connection

        provider.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.GetAsync(Guid.NewGuid(), Cancel));
    }

    /// <summary>Keeps every log entry, with its category.</summary>
    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CollectingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }
}
