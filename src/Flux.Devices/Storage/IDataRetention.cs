namespace Flux.Devices.Storage;

/// <summary>
/// Deletes the health samples and telemetry older than their windows (<see cref="RetentionOptions"/>), series by series,
/// in bounded batches through <see cref="IRetentionStore"/>. <c>AddRetention()</c> runs it on a schedule as a hosted
/// service; <c>flux retention run</c> runs it once.
/// </summary>
public interface IDataRetention
{
    /// <summary>Deletes every expired row now, batch after batch, until none is left.</summary>
    /// <param name="cancellationToken">Cancels between batches (a batch is one transaction: committed or not).</param>
    /// <returns>What was done for each series, health samples first.</returns>
    /// <exception cref="NotSupportedException">The store of a series with a window has no retention (<see cref="IRetentionStore"/>).</exception>
    ValueTask<IReadOnlyList<RetentionOutcome>> RunOnceAsync(CancellationToken cancellationToken = default);
}

/// <summary>What one run of <see cref="IDataRetention"/> did for one series.</summary>
public sealed record RetentionOutcome
{
    /// <summary>Gets the series.</summary>
    public required RetainedSeries Series { get; init; }

    /// <summary>Gets how long the series is kept; <see langword="null"/> when it is kept for ever (nothing was deleted).</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>Gets the cutoff: rows older than it were deleted; <see langword="null"/> when the series is kept for ever.</summary>
    public DateTimeOffset? Before { get; init; }

    /// <summary>Gets how many rows were deleted.</summary>
    public long Deleted { get; init; }

    /// <summary>Gets how many deletes (transactions) it took.</summary>
    public int Batches { get; init; }
}
