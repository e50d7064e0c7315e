namespace Flux.Devices.Groups;

/// <summary>Group calls with the cancellation token right after the required arguments: <c>groups.AddMemberAsync(groupId, deviceId, cancellationToken)</c>.</summary>
public static class DeviceGroupServiceExtensions
{
    /// <summary>Adds a device to a group as its primary member, priority 0.</summary>
    /// <param name="groups">The group service.</param>
    /// <param name="groupId">The group.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The membership.</returns>
    public static ValueTask<DeviceGroupMember> AddMemberAsync(this IDeviceGroupService groups, Guid groupId, Guid deviceId, CancellationToken cancellationToken) =>
        AddMemberAsync(groups, groupId, deviceId, GroupMemberRole.Primary, cancellationToken);

    /// <summary>Adds a device to a group in a role, priority 0.</summary>
    /// <param name="groups">The group service.</param>
    /// <param name="groupId">The group.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="role">The device's part in the group.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The membership.</returns>
    public static ValueTask<DeviceGroupMember> AddMemberAsync(this IDeviceGroupService groups, Guid groupId, Guid deviceId, GroupMemberRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return groups.AddMemberAsync(groupId, deviceId, role, 0, cancellationToken);
    }
}
