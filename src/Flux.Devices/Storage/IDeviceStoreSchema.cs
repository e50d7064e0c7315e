namespace Flux.Devices.Storage;

/// <summary>
/// A store's database schema, created or upgraded on demand: registered in the container by the stores that have one
/// (<c>UseSqlite</c>, <c>UsePostgres</c>), so that a host or a tool can migrate before the first use without knowing
/// the store's type.
/// </summary>
public interface IDeviceStoreSchema
{
    /// <summary>
    /// Creates the schema, or applies the migrations it lacks, each once, even when several processes do this at once. A
    /// current schema is left alone.
    /// </summary>
    /// <param name="cancellationToken">Cancels the migration (nothing is applied).</param>
    /// <returns>How many migrations were applied; 0 when the schema was current.</returns>
    /// <exception cref="DeviceStoreUnavailableException">The database could not be reached or used after the store's retries.</exception>
    Task<int> MigrateAsync(CancellationToken cancellationToken = default);
}
