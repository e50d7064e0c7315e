using Flux.Devices.Postgres;
using Flux.Devices.Postgres.Internal;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the PostgreSQL store into <see cref="IFluxDevicesBuilder"/>.</summary>
public static class FluxDevicesBuilderPostgresExtensions
{
    /// <summary>
    /// Uses the PostgreSQL store, replacing any store plugged in before, on a data source of its own made from a connection
    /// string (the container disposes it). The store's schema is created or upgraded by <see cref="IDeviceStoreSchema"/>
    /// (registered too) or <see cref="ApplySchemaOnStartup"/>; retries are logged to the container's logger factory.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="configure">Configures the store (its schema, retries); <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UsePostgres(this IFluxDevicesBuilder builder, string connectionString, Action<PostgresStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgres(options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Uses the PostgreSQL store (and registers its <see cref="IDeviceStoreSchema"/>), replacing any store plugged in before: on the
    /// <see cref="PostgresStoreOptions.ConnectionString"/> when one is set, else on the <see cref="NpgsqlDataSource"/>
    /// registered in the container (for example by <c>AddNpgsqlDataSource</c>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the store (<c>_ =&gt; { }</c> for the defaults on the container's data source).</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UsePostgres(this IFluxDevicesBuilder builder, Action<PostgresStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<PostgresStoreOptions>().Configure(configure).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresStoreOptions>, PostgresStoreOptionsValidator>());
        builder.Services.TryAddSingleton<OwnedDataSource>();
        builder.Services.TryAddSingleton(static sp =>
        {
            var storeOptions = sp.GetRequiredService<IOptions<PostgresStoreOptions>>().Value;
            var dataSource = storeOptions.ConnectionString is { Length: > 0 }
                ? sp.GetRequiredService<OwnedDataSource>().Get(storeOptions.ConnectionString)
                : sp.GetService<NpgsqlDataSource>() ?? throw new InvalidOperationException(
                    "UsePostgres needs a connection string (UsePostgres(connectionString) or PostgresStoreOptions.ConnectionString) or an NpgsqlDataSource in the container.");
            return new PostgresDeviceStore(dataSource, storeOptions, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>());
        });
        builder.Services.Replace(ServiceDescriptor.Singleton<IDeviceStoreSchema>(static sp => sp.GetRequiredService<PostgresDeviceStore>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<IDeviceLeaseStore>(static sp => sp.GetRequiredService<PostgresDeviceStore>()));
        return builder.UseStore(static sp => sp.GetRequiredService<PostgresDeviceStore>());
    }

    /// <summary>
    /// Creates or upgrades the store's schema when the host starts (<see cref="IDeviceStoreSchema.MigrateAsync"/>), before
    /// the hosted services registered after this call. Several processes may start at once: each migration is applied once.
    /// </summary>
    /// <param name="builder">The builder, with <see cref="UsePostgres(IFluxDevicesBuilder, Action{PostgresStoreOptions})"/>.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder ApplySchemaOnStartup(this IFluxDevicesBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SchemaMigrationService>());
        return builder;
    }
}
