using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;

namespace Flux.Devices.Storage;

/// <summary>
/// Where devices, their history, groups and memberships, and their health samples are kept. Flux.Devices ships an in-memory store
/// (<see cref="InMemoryDeviceStore"/>, the default) and PostgreSQL and SQLite stores in their own packages; a
/// host can bring its own and check it with the store contract test suite.
/// </summary>
/// <remarks>
/// <para>
/// A store does not validate business rules: <see cref="IDeviceRegistry"/> does that before it writes. A store
/// guarantees what only it can: unique ids and names, referential integrity of memberships, and
/// compare-and-set on <see cref="Device.Version"/> so that no update is ever lost.
/// </para>
/// <para>
/// Every write of a device carries the one <see cref="DeviceHistoryEntry"/> that describes it; both are
/// committed together or not at all. Every query returns the same results in every store: the semantics
/// are those of <see cref="DeviceFilter.Matches"/>, and lists are ordered as each method says. "By name" means
/// by Unicode code point, which is what PostgreSQL's <c>COLLATE "C"</c> gives on UTF-8 (and what ordinal UTF-16
/// comparison gives, except that characters beyond U+FFFF sort after U+FFFF).
/// </para>
/// </remarks>
public interface IDeviceStore
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

    /// <summary>Adds a group.</summary>
    /// <param name="group">The group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the group is committed.</returns>
    /// <exception cref="AlreadyExistsException">The id or the name is taken; nothing was written.</exception>
    ValueTask AddGroupAsync(DeviceGroup group, CancellationToken cancellationToken = default);

    /// <summary>Gets a group by id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The group, or <see langword="null"/>.</returns>
    ValueTask<DeviceGroup?> GetGroupAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Gets a group by its exact name (compared ordinally).</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The group, or <see langword="null"/>.</returns>
    ValueTask<DeviceGroup?> GetGroupByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists every group, ordered by name (ordinal).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The groups.</returns>
    ValueTask<IReadOnlyList<DeviceGroup>> ListGroupsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a group and its memberships (the devices stay).</summary>
    /// <param name="id">The group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when a group was deleted.</returns>
    ValueTask<bool> DeleteGroupAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Adds a device to a group, or updates its role and priority when it is already a member.</summary>
    /// <param name="member">The membership.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the membership is committed.</returns>
    /// <exception cref="DeviceGroupNotFoundException">The group does not exist (field <c>group_id</c>); nothing was written.</exception>
    /// <exception cref="DeviceNotFoundException">The device does not exist (field <c>device_id</c>); nothing was written.</exception>
    /// <exception cref="DeviceValidationException">The device is decommissioned (field <c>device_id</c>); nothing was written.</exception>
    ValueTask SetMemberAsync(DeviceGroupMember member, CancellationToken cancellationToken = default);

    /// <summary>Removes a device from a group.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when a membership was removed.</returns>
    ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default);

    /// <summary>Lists a group's members by priority (lowest number first), then by device name (ordinal).</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The members.</returns>
    /// <exception cref="DeviceGroupNotFoundException">The group does not exist.</exception>
    ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default);

    /// <summary>Lists the groups a device belongs to, as memberships ordered by group name (ordinal).</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The memberships; empty for an unknown device.</returns>
    ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends health samples to the <c>device_health</c> time series, all in one write: either every sample is
    /// stored or none is.
    /// </summary>
    /// <param name="samples">The samples, for any devices, in any order.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the samples are committed.</returns>
    /// <exception cref="DeviceNotFoundException">A sample is for an unknown device; nothing was written.</exception>
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
