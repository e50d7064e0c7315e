namespace Flux.Devices.Storage;

/// <summary>The time series a store keeps for a while and then deletes (retention).</summary>
public enum RetainedSeries
{
    /// <summary>Health samples (<c>device_health</c>, <see cref="IHealthSampleStore"/>).</summary>
    HealthSamples = 0,

    /// <summary>Telemetry readings (<c>device_telemetry</c>, <see cref="ITelemetryStore"/>).</summary>
    Telemetry = 1,
}

/// <summary>
/// The retention capability of a store: deleting the rows of a time series older than a time, in bounded batches. The
/// library's stores have it; <see cref="IDataRetention"/> runs it with the windows of <see cref="RetentionOptions"/>.
/// </summary>
/// <remarks>
/// Not part of <see cref="IDeviceStore"/>: a store without it keeps its rows (a time-series database with retention
/// of its own). <see cref="DelegatingDeviceStore"/> has it, forwarding each series to the store that keeps it.
/// </remarks>
public interface IRetentionStore
{
    /// <summary>
    /// Deletes rows of a series whose timestamp is before <paramref name="before"/>, at most <paramref name="limit"/> of
    /// them (the oldest first where the store can tell), in one transaction.
    /// </summary>
    /// <param name="series">The series.</param>
    /// <param name="before">The cutoff: rows older than it are deleted, a row at it is kept.</param>
    /// <param name="limit">The most rows to delete in this call; 1 or more.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many rows were deleted; fewer than <paramref name="limit"/> when no older row is left.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The series is not defined, or the limit is below 1.</exception>
    /// <exception cref="NotSupportedException">The store that keeps the series has no retention (a forwarding store).</exception>
    ValueTask<int> DeleteExpiredAsync(RetainedSeries series, DateTimeOffset before, int limit, CancellationToken cancellationToken = default);
}
