using Flux.Devices.Lifecycle;

namespace Flux.Devices.Storage;

/// <summary>
/// The devices capability of a store: devices and their history (<see cref="IDeviceRegistry"/> sits on it). Part of
/// <see cref="IDeviceStore"/>; the contract is the same (see its remarks).
/// </summary>
/// <remarks>
/// A store guarantees unique ids and names and compare-and-set on <see cref="Device.Version"/>; every write of a device
/// carries the one <see cref="DeviceHistoryEntry"/> that describes it, committed together or not at all. Check the
/// arguments with <see cref="StoreArguments"/> and decide batch writes with <see cref="DeviceWriteDecision"/>.
/// </remarks>
public interface IDeviceRegistryStore
{
    /// <summary>Adds a new device with its registration entry.</summary>
    /// <param name="device">The device, at version 1.</param>
    /// <param name="entry">Its history entry, for the same device and version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when both are committed.</returns>
    /// <exception cref="AlreadyExistsException">The id or the name is taken; nothing was written.</exception>
    ValueTask AddAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds many new devices with their registration entries in one transaction: every one of them, or none (a bulk
    /// registration, an import).
    /// </summary>
    /// <param name="additions">The devices, each at version 1 with its entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when all are committed.</returns>
    /// <exception cref="AlreadyExistsException">An id or a name is taken, or appears twice in the batch; nothing was written.</exception>
    ValueTask AddManyAsync(IReadOnlyList<DeviceWrite> additions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a device with a new version, if and only if the stored version is
    /// <c>device.Version - 1</c>, and appends its history entry in the same write.
    /// </summary>
    /// <param name="device">The new version of the device.</param>
    /// <param name="entry">Its history entry, for the same device and version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when both are committed.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    /// <exception cref="DeviceConcurrencyException">
    /// The stored version is not the one the change was based on; nothing was written. The exception reports the
    /// stored version in <see cref="DeviceConcurrencyException.ActualVersion"/>.
    /// </exception>
    /// <exception cref="AlreadyExistsException">The new name is taken by another device; nothing was written.</exception>
    /// <remarks>A device that becomes <see cref="DeviceState.Decommissioned"/> leaves all its groups in the same write.</remarks>
    ValueTask UpdateAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes many device updates in one transaction, each a compare-and-set on its version like
    /// <see cref="UpdateAsync"/>. A write whose device changed (or vanished) is left out and reported; the others
    /// are committed together, with their history entries.
    /// </summary>
    /// <param name="writes">The writes; at most one per device, none renaming a device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The outcome of each write, in the order given.</returns>
    ValueTask<IReadOnlyList<DeviceWriteOutcome>> UpdateManyAsync(IReadOnlyList<DeviceWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Gets a device by id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/>.</returns>
    ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Gets a device by its exact name (compared ordinally).</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/>.</returns>
    ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the devices that match a filter, ordered by name (ordinal).</summary>
    /// <param name="filter">The filter; <see cref="DeviceFilter.All"/> for every device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The matching devices.</returns>
    ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Gets a device's history, oldest first (version 1 first).</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entries; empty for an unknown device.</returns>
    ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid deviceId, CancellationToken cancellationToken = default);
}
