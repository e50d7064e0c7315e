using Flux.Devices.Health;

namespace Flux.Devices.Storage;

/// <summary>
/// The health-sample capability of a store: the <c>device_health</c> time series the health monitor writes. Part of
/// <see cref="IDeviceStore"/>; a host may keep samples elsewhere (a time-series store of its own) while the devices
/// stay in the main store, by registering its own with <c>UseHealthSampleStore</c>.
/// </summary>
/// <remarks>
/// Normalise samples with <see cref="HealthSampleRules"/> before writing them. A store that keeps the devices too
/// refuses samples for unknown devices; one that keeps samples apart from the devices cannot know them, and accepts
/// samples for any device id.
/// </remarks>
public interface IHealthSampleStore
{
    /// <summary>
    /// Appends health samples to the <c>device_health</c> time series, all in one write: either every sample is
    /// stored or none is.
    /// </summary>
    /// <param name="samples">The samples, for any devices, in any order.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the samples are committed.</returns>
    /// <exception cref="DeviceNotFoundException">A sample is for an unknown device (in a store that keeps the devices); nothing was written.</exception>
    /// <exception cref="AlreadyExistsException">
    /// A device already has a sample at that timestamp (to the microsecond), or the batch holds two; nothing was written.
    /// </exception>
    /// <remarks>
    /// Timestamps are kept to the microsecond, as PostgreSQL keeps them; finer digits are dropped. A store may keep a
    /// bounded window of samples per device (the in-memory store does) and drop the oldest beyond it.
    /// </remarks>
    ValueTask AppendHealthAsync(IReadOnlyList<DeviceHealthSample> samples, CancellationToken cancellationToken = default);

    /// <summary>Gets a device's newest health sample.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The sample with the latest timestamp, or <see langword="null"/> when the device has none.</returns>
    ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default);

    /// <summary>Gets the newest health sample of every device that has one.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One sample per device, in no particular order.</returns>
    ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets a device's health samples in a time range, oldest first.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="since">The start of the range, included.</param>
    /// <param name="until">The end of the range, excluded.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The samples; empty for an unknown device.</returns>
    ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);
}
