namespace Flux.Devices.Groups;

/// <summary>
/// Logical groups of devices for coordinated control, monitoring or analysis, as in the spec
/// (<c>WLCE-BESS-Fleet</c>, <c>Settlement-Meters</c>). A device can be in many groups; members are listed by priority.
/// </summary>
public interface IDeviceGroupService
{
    /// <summary>Creates a group.</summary>
    /// <param name="group">The group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The created group.</returns>
    /// <exception cref="DeviceValidationException">
    /// A field breaks a rule (blank name or site, undefined group type); <see cref="AlreadyExistsException"/> when only
    /// the name or id is taken. Nothing was stored.
    /// </exception>
    ValueTask<DeviceGroup> CreateAsync(NewDeviceGroup group, CancellationToken cancellationToken = default);

    /// <summary>Gets a group by id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The group, or <see langword="null"/>.</returns>
    ValueTask<DeviceGroup?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Gets a group by its exact name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The group, or <see langword="null"/>.</returns>
    ValueTask<DeviceGroup?> GetByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists every group, ordered by name.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The groups.</returns>
    ValueTask<IReadOnlyList<DeviceGroup>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a group and its memberships; the devices stay.</summary>
    /// <param name="id">The group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when a group was deleted.</returns>
    ValueTask<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a device to a group, or updates its role and priority when it is already a member. The device must
    /// not be decommissioned, and must be at the group's site unless the group's site is <see cref="DeviceGroup.AllSites"/>.
    /// </summary>
    /// <param name="groupId">The group.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="role">The device's part in the group.</param>
    /// <param name="priority">The priority: 0 or more, lowest first.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The membership.</returns>
    /// <exception cref="DeviceGroupNotFoundException">The group does not exist.</exception>
    /// <exception cref="DeviceNotFoundException">The device does not exist.</exception>
    /// <exception cref="DeviceValidationException">The membership breaks a rule; every failing field is listed.</exception>
    ValueTask<DeviceGroupMember> AddMemberAsync(
        Guid groupId,
        Guid deviceId,
        GroupMemberRole role = GroupMemberRole.Primary,
        int priority = 0,
        CancellationToken cancellationToken = default);

    /// <summary>Removes a device from a group.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the device was a member.</returns>
    ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default);

    /// <summary>Lists a group's members by priority (lowest number first), then by device name.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The members.</returns>
    /// <exception cref="DeviceGroupNotFoundException">The group does not exist.</exception>
    ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default);

    /// <summary>Lists the groups a device belongs to, as memberships ordered by group name.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The memberships.</returns>
    /// <exception cref="DeviceNotFoundException">The device does not exist.</exception>
    ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default);
}
