using Flux.Devices.Internal;
using Flux.Devices.Telemetry;

namespace Flux.Devices.Storage;

/// <summary>
/// What every store checks and normalises in telemetry before it writes it (<see cref="ITelemetryStore.AppendTelemetryAsync"/>),
/// so that every store refuses the same readings and reads back the same rows.
/// </summary>
public static class TelemetryRules
{
    /// <summary>The longest point name a store keeps, in UTF-16 code units.</summary>
    public const int MaxPointLength = 128;

    /// <summary>
    /// Gets the order of stored readings: by timestamp, then by point by Unicode code point (what PostgreSQL's
    /// <c>COLLATE "C"</c> and SQLite's <c>BINARY</c> give on UTF-8).
    /// </summary>
    public static IComparer<TelemetryReading> Order { get; } = Comparer<TelemetryReading>.Create(Compare);

    /// <summary>
    /// Checks a reading and returns it as a store keeps it: the device, point, value and a UTC timestamp cut to the
    /// microsecond (PostgreSQL's precision), with quality <see cref="TelemetryQuality.Good"/> and no unit or text;
    /// <see langword="null"/> when it has no <see cref="TelemetryReading.Value"/> (not stored).
    /// </summary>
    /// <param name="reading">The reading.</param>
    /// <param name="parameter">The name of the argument that holds it, for the errors.</param>
    /// <returns>The row to store, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException">The reading or its point is null.</exception>
    /// <exception cref="ArgumentException">The point is empty, too long or not storable text, or the value is not a finite number.</exception>
    public static TelemetryReading? Normalize(TelemetryReading reading, string parameter) =>
        IsStored(reading, parameter)
            ? new TelemetryReading
            {
                DeviceId = reading.DeviceId,
                Point = reading.Point,
                Value = reading.Value,
                Timestamp = StoredTime.ToMicroseconds(reading.Timestamp),
            }
            : null;

    /// <summary>
    /// Checks a reading as <see cref="Normalize"/> does, without making the row: for a store that writes the fields
    /// straight out (a bulk copy, the timestamp cut with <see cref="StoredTime.ToMicroseconds"/>) and leaves duplicate
    /// keys to its primary key.
    /// </summary>
    /// <param name="reading">The reading.</param>
    /// <param name="parameter">The name of the argument that holds it, for the errors.</param>
    /// <returns><see langword="true"/> when the reading is to be stored; <see langword="false"/> when it has no value.</returns>
    /// <exception cref="ArgumentNullException">The reading or its point is null.</exception>
    /// <exception cref="ArgumentException">The point is empty, too long or not storable text, or the value is not a finite number.</exception>
    public static bool IsStored(TelemetryReading reading, string parameter)
    {
        ArgumentNullException.ThrowIfNull(reading, parameter);
        ArgumentNullException.ThrowIfNull(reading.Point, parameter);
        if (reading.Point.Length == 0 || reading.Point.Length > MaxPointLength || string.IsNullOrWhiteSpace(reading.Point))
        {
            throw new ArgumentException($"A telemetry reading's point is a name of 1 to {MaxPointLength} characters, not '{reading.Point}' (device {reading.DeviceId}).", parameter);
        }

        if (reading.Point.Contains('\0', StringComparison.Ordinal) || FieldRules.HasUnpairedSurrogate(reading.Point))
        {
            throw new ArgumentException($"A telemetry reading's point holds U+0000 or an unpaired surrogate (device {reading.DeviceId}).", parameter);
        }

        if (reading.Value is not { } value)
        {
            return false;
        }

        return double.IsFinite(value)
            ? true
            : throw new ArgumentException($"Telemetry point '{reading.Point}' of device {reading.DeviceId}: the value {value} is not a finite number.", parameter);
    }

    /// <summary>
    /// Normalises a batch as by <see cref="Normalize"/>, leaving out the readings without a value, and refusing two
    /// readings of one device and point at one timestamp (to the microsecond).
    /// </summary>
    /// <param name="readings">The batch.</param>
    /// <returns>The rows to store, in the order given.</returns>
    /// <exception cref="ArgumentNullException">The list or a reading is null.</exception>
    /// <exception cref="ArgumentException">A reading is malformed; nothing is to be written.</exception>
    /// <exception cref="AlreadyExistsException">The batch holds two rows with one key (field <c>timestamp</c>).</exception>
    public static TelemetryReading[] NormalizeBatch(IReadOnlyList<TelemetryReading> readings)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var stored = new List<TelemetryReading>(readings.Count);
        var keys = new HashSet<(Guid, string, DateTimeOffset)>(readings.Count);
        for (var i = 0; i < readings.Count; i++)
        {
            if (Normalize(readings[i], nameof(readings)) is not { } row)
            {
                continue;
            }

            if (!keys.Add((row.DeviceId, row.Point, row.Timestamp)))
            {
                throw Taken(row);
            }

            stored.Add(row);
        }

        return [.. stored];
    }

    /// <summary>Makes the error a store throws for a reading whose device already has one of that point at its timestamp.</summary>
    /// <param name="reading">The reading, normalised.</param>
    /// <returns>The error (field <c>timestamp</c>), for the store to throw.</returns>
    public static AlreadyExistsException Taken(TelemetryReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return new("timestamp", $"{reading.DeviceId} point {reading.Point} at {reading.Timestamp:O}");
    }

    private static int Compare(TelemetryReading? a, TelemetryReading? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        var byTime = a.Timestamp.UtcTicks.CompareTo(b.Timestamp.UtcTicks);
        return byTime != 0 ? byTime : NameOrder.Compare(a.Point, b.Point);
    }
}
