using Flux.Devices.Health;
using Flux.Devices.Internal;

namespace Flux.Devices.Storage;

/// <summary>What every store checks and normalises in a health sample before it writes it.</summary>
internal static class HealthSampleRules
{
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
            Timestamp = StoredTime.ToMicroseconds(sample.Timestamp),
            LastSuccessfulPoll = sample.LastSuccessfulPoll is { } last ? StoredTime.ToMicroseconds(last) : null,
        };
    }
}
