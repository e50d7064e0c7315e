using Flux.Devices.Telemetry;

namespace Flux.Devices.Storage;

/// <summary>
/// The telemetry capability of a store: the readings the health monitor decodes from each poll of an Active device,
/// kept as narrow rows <c>(device_id, timestamp, point, value)</c>.
/// </summary>
public interface ITelemetryStore
{
    /// <summary>
    /// Appends readings, all in one write: either every row is stored or none is. Readings without a
    /// <see cref="TelemetryReading.Value"/> are not stored.
    /// </summary>
    /// <param name="readings">The readings, for any devices, in any order.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the readings are committed.</returns>
    ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default);

    /// <summary>Gets a device's stored readings in a time range, oldest first (then by point, by code point).</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="points">The points to return; <see langword="null"/> or empty for all.</param>
    /// <param name="since">The start of the range, included.</param>
    /// <param name="until">The end of the range, excluded.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The readings, with quality <see cref="TelemetryQuality.Good"/>; empty for an unknown device.</returns>
    ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default);
}
