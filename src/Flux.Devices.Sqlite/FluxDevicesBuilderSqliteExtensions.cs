using Flux.Devices.Sqlite;
using Flux.Devices.Sqlite.Internal;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the embedded SQLite store into <see cref="IFluxDevicesBuilder"/>.</summary>
public static class FluxDevicesBuilderSqliteExtensions
{
    /// <summary>
    /// Uses the SQLite store on a file (made with its tables on first use, or by <see cref="IDeviceStoreSchema"/>), replacing
    /// any store plugged in before. The container disposes the store, which releases the file (its pooled connections are
    /// closed) so that it can be moved or deleted. Its options are validated when they are first read (at host start with a
    /// host); it takes the container's <see cref="TimeProvider"/> and logger factory.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The database file, such as <c>flux.db</c>.</param>
    /// <param name="configure">Configures the store (its busy timeout, retries); <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseSqlite(this IFluxDevicesBuilder builder, string path, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var options = builder.Services.AddOptions<SqliteStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreOptionsValidator>());
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => new SqliteDeviceStore(
            path,
            sp.GetRequiredService<IOptions<SqliteStoreOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>())));
        builder.Services.Replace(ServiceDescriptor.Singleton<IDeviceStoreSchema>(static sp => sp.GetRequiredService<SqliteDeviceStore>()));
        return builder.UseStore(static sp => sp.GetRequiredService<SqliteDeviceStore>());
    }
}
