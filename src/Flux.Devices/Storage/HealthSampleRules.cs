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

    /// <summary>Normalises a batch, refusing two samples of one device at one timestamp (to the microsecond).</summary>
    /// <exception cref="AlreadyExistsException">The batch holds two samples with one key.</exception>
    public static DeviceHealthSample[] NormalizeBatch(IReadOnlyList<DeviceHealthSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var stored = new DeviceHealthSample[samples.Count];
        var keys = new HashSet<(Guid, DateTimeOffset)>(samples.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            stored[i] = Normalize(samples[i], nameof(samples));
            if (!keys.Add((stored[i].DeviceId, stored[i].Timestamp)))
            {
                throw Taken(stored[i]);
            }
        }

        return stored;
    }

    /// <summary>The error for a sample whose device already has one at its timestamp.</summary>
    public static AlreadyExistsException Taken(DeviceHealthSample sample) =>
        new("timestamp", $"{sample.DeviceId} at {sample.Timestamp:O}");
}
