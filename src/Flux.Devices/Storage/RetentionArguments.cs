namespace Flux.Devices.Storage;

/// <summary>The argument checks every store makes in <see cref="IRetentionStore.DeleteExpiredAsync"/>, so that all refuse the same.</summary>
public static class RetentionArguments
{
    /// <summary>Checks the series and the limit.</summary>
    /// <param name="series">The series: defined.</param>
    /// <param name="limit">The most rows to delete: 1 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">The series is not defined, or the limit is below 1.</exception>
    public static void Check(RetainedSeries series, int limit)
    {
        if (!Enum.IsDefined(series))
        {
            throw new ArgumentOutOfRangeException(nameof(series), series, "Not a retained series (health_samples or telemetry).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
    }
}
