using Flux.Devices.Health;
using Flux.Devices.Internal;

namespace Flux.Devices.Storage;

/// <summary>
/// What every store checks and normalises in a health sample before it writes it (<see cref="IHealthSampleStore.AppendHealthAsync"/>),
/// so that every store refuses the same samples and reads back the same values.
/// </summary>
public static class HealthSampleRules
{
    /// <summary>
    /// Checks a sample and returns it as a store keeps it: UTC timestamps cut to the microsecond (PostgreSQL's
    /// precision), and an error text made storable in JSON (U+0000 and unpaired surrogates become U+FFFD).
    /// </summary>
    /// <param name="sample">The sample.</param>
    /// <param name="parameter">The name of the argument that holds it, for the errors.</param>
    /// <returns>The sample to store.</returns>
    /// <exception cref="ArgumentNullException">The sample is null.</exception>
    /// <exception cref="ArgumentException">The status is not defined, or a count or time is negative.</exception>
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
            Diagnostics = sample.Diagnostics is { Error: { } error } diagnostics && !IsStorable(error)
                ? diagnostics with { Error = Storable(error) }
                : sample.Diagnostics,
        };
    }

    /// <summary>Normalises a batch as by <see cref="Normalize"/>, refusing two samples of one device at one timestamp (to the microsecond).</summary>
    /// <param name="samples">The batch.</param>
    /// <returns>The samples to store, in the order given.</returns>
    /// <exception cref="ArgumentNullException">The list or a sample is null.</exception>
    /// <exception cref="ArgumentException">A sample is malformed.</exception>
    /// <exception cref="AlreadyExistsException">The batch holds two samples with one key (field <c>timestamp</c>).</exception>
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

    /// <summary>Makes the error a store throws for a sample whose device already has one at its timestamp.</summary>
    /// <param name="sample">The sample, normalised.</param>
    /// <returns>The error (field <c>timestamp</c>), for the store to throw.</returns>
    public static AlreadyExistsException Taken(DeviceHealthSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return new("timestamp", $"{sample.DeviceId} at {sample.Timestamp:O}");
    }

    /// <summary>Tells whether text can go into a JSONB value: no U+0000, no unpaired surrogate.</summary>
    private static bool IsStorable(string text) => !text.Contains('\0', StringComparison.Ordinal) && !FieldRules.HasUnpairedSurrogate(text);

    /// <summary>An error text (a device's, a transport's) made storable: U+0000 and unpaired surrogates become U+FFFD.</summary>
    private static string Storable(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (chars[i] == '\0' || char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }
}
