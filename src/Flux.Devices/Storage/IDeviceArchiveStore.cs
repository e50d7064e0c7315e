using Flux.Devices.Health;
using Flux.Devices.Telemetry;

namespace Flux.Devices.Storage;

/// <summary>
/// The archive capability of a store: when a device is decommissioned, its health samples and telemetry leave the hot
/// series (<c>device_health</c>, <c>device_telemetry</c>) for archive tables (<c>device_health_archive</c>,
/// <c>device_telemetry_archive</c>) in the same transaction as the move, and are read back here. The library's stores
/// have it.
/// </summary>
/// <remarks>
/// <para>
/// The move is made by the store's own device writes (<see cref="IDeviceRegistryStore.UpdateAsync"/> and
/// <see cref="IDeviceRegistryStore.UpdateManyAsync"/>): every write that leaves a device
/// <see cref="DeviceState.Decommissioned"/> moves whatever hot rows it has, together with the device row and
/// its history entry, or fails with nothing moved. It is therefore the same in every path (the registry, the
/// <c>flux</c> command line, a batch).
/// </para>
/// <para>
/// Not part of <see cref="IDeviceStore"/>: a store without it keeps a decommissioned device's rows in the hot series.
/// Archived rows are not subject to retention; they are kept until an operator removes them.
/// </para>
/// </remarks>
public interface IDeviceArchiveStore
{
    /// <summary>Gets a device's archived health samples in a time range, oldest first.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="since">The start of the range, included.</param>
    /// <param name="until">The end of the range, excluded.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The samples; empty for an unknown device or one that was never decommissioned.</returns>
    ValueTask<IReadOnlyList<DeviceHealthSample>> GetArchivedHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Gets a device's archived telemetry readings in a time range, oldest first (then by point, by code point).</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="points">The points to return; <see langword="null"/> or empty for all.</param>
    /// <param name="since">The start of the range, included.</param>
    /// <param name="until">The end of the range, excluded.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The readings, with quality <see cref="TelemetryQuality.Good"/>; empty for an unknown device or one that was never decommissioned.</returns>
    ValueTask<IReadOnlyList<TelemetryReading>> GetArchivedTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default);
}
