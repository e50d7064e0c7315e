namespace Flux.Devices.Internal;

/// <summary>
/// Timestamps as every store keeps them: UTC, to the microsecond (PostgreSQL's precision). Taking "now" this way makes a
/// device or sample read back from any store equal to the one written.
/// </summary>
internal static class StoredTime
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>Gets the current time, in UTC, cut to the microsecond.</summary>
    public static DateTimeOffset GetStoredNow(this TimeProvider time) => ToMicroseconds(time.GetUtcNow());

    /// <summary>Converts to UTC and cuts to the microsecond.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TicksPerMicrosecond), TimeSpan.Zero);
    }
}
