using Flux.Devices.Health;

namespace Flux.Devices.Storage;

/// <summary>What every store checks and normalises in a health sample before it writes it.</summary>
internal static class HealthSampleRules
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    /// <summary>Checks a sample and returns it with UTC timestamps cut to the microsecond, as PostgreSQL keeps them.</summary>
    /// <exception cref="ArgumentException">The sample is malformed.</exception>
    public static DeviceHealthSample Normalize(DeviceHealthSample sample, string parameter)
    {
        ArgumentNullException.ThrowIfNull(sample, parameter);
        if (!Enum.IsDefined(sample.Status))
        {
            throw new ArgumentException($"Health sample status {(int)sample.Status} is not defined.", parameter);
        }

        if (sample.ErrorCount < 0 || sample.ResponseTimeMs < 0)
        {
            throw new ArgumentException("A health sample's error_count and response_time_ms are zero or more.", parameter);
        }

        return sample with
        {
            Timestamp = ToMicroseconds(sample.Timestamp),
            LastSuccessfulPoll = sample.LastSuccessfulPoll is { } last ? ToMicroseconds(last) : null,
        };
    }

    public static DateTimeOffset ToMicroseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TicksPerMicrosecond), TimeSpan.Zero);
    }
}
