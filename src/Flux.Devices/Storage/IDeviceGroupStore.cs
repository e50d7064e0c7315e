using Flux.Devices.Groups;

namespace Flux.Devices.Storage;

/// <summary>
/// The groups capability of a store: groups and their members. Part of <see cref="IDeviceStore"/>; memberships refer
/// to devices, so a store that has this capability also keeps the devices (<see cref="IDeviceRegistryStore"/>).
/// </summary>
public interface IDeviceGroupStore
{
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
}
