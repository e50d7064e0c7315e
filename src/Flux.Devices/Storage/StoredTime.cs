namespace Flux.Devices.Storage;

/// <summary>
/// Timestamps as every store keeps them: UTC, to the microsecond (PostgreSQL's precision). A store that keeps finer
/// digits cuts them with <see cref="ToMicroseconds"/>, so that a device or sample reads back equal from every store.
/// </summary>
public static class StoredTime
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>Gets the current time, in UTC, cut to the microsecond.</summary>
    /// <param name="time">The clock.</param>
    /// <returns>The time as a store keeps it.</returns>
    public static DateTimeOffset GetStoredNow(this TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return ToMicroseconds(time.GetUtcNow());
    }

    /// <summary>Converts to UTC and cuts to the microsecond (towards the past).</summary>
    /// <param name="value">The time.</param>
    /// <returns>The time as a store keeps it.</returns>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TicksPerMicrosecond), TimeSpan.Zero);
    }
}
