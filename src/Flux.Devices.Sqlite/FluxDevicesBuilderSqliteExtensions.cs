using Flux.Devices.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the embedded SQLite store into <see cref="IFluxDevicesBuilder"/>.</summary>
public static class FluxDevicesBuilderSqliteExtensions
{
    /// <summary>Uses <see cref="SqliteDeviceStore"/> on a file (made with its tables on first use), replacing any store plugged in before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The database file, such as <c>flux.db</c>.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseSqlite(this IFluxDevicesBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseStore(_ => new SqliteDeviceStore(path));
    }
}
