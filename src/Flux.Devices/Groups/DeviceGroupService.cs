using Flux.Devices.Diagnostics;
using Flux.Devices.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Groups;

/// <summary>Validates group changes before the store sees them.</summary>
internal sealed class DeviceGroupService(IDeviceGroupStore store, IDeviceRegistryStore devices, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null)
    : IDeviceGroupService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.GroupsCategory);

    public async ValueTask<DeviceGroup> CreateAsync(NewDeviceGroup group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var errors = new List<DeviceValidationError>();
        var nameValid = FieldRules.CheckText(group.Name, "name", FieldRules.MaxNameLength, errors);
        FieldRules.CheckText(group.Site, "site", FieldRules.MaxSiteLength, errors);
        if (!Enum.IsDefined(group.GroupType))
        {
            errors.Add(new DeviceValidationError { Field = "group_type", Message = $"{(int)group.GroupType} is not a group type; use control, monitoring or analysis" });
        }

        var taken = new List<AlreadyExistsException>();
        if (group.Id is { } id && await store.GetGroupAsync(id, cancellationToken).ConfigureAwait(false) is not null)
        {
            taken.Add(new AlreadyExistsException("id", id.ToString()));
        }

        if (nameValid && await store.GetGroupByNameAsync(group.Name, cancellationToken).ConfigureAwait(false) is not null)
        {
            taken.Add(new AlreadyExistsException("name", group.Name));
        }

        if (errors.Count == 0 && taken.Count == 1)
        {
            throw taken[0];
        }

        errors.AddRange(taken.SelectMany(t => t.Errors));
        if (errors.Count > 0)
        {
            throw new DeviceValidationException(errors);
        }

        var now = timeProvider.GetStoredNow();
        var created = new DeviceGroup
        {
            Id = group.Id ?? Guid.CreateVersion7(now),
            Name = group.Name,
            Site = group.Site,
            GroupType = group.GroupType,
            Metadata = group.Metadata ?? DeviceMetadata.Empty,
            CreatedAt = now,
        };
        await store.AddGroupAsync(created, cancellationToken).ConfigureAwait(false);
        Log.GroupCreated(_logger, created.GroupType, created.Name, created.Id, created.Site);
        return created;
    }

    public ValueTask<DeviceGroup?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        store.GetGroupAsync(id, cancellationToken);

    public ValueTask<DeviceGroup?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return store.GetGroupByNameAsync(name, cancellationToken);
    }

    public ValueTask<IReadOnlyList<DeviceGroup>> ListAsync(CancellationToken cancellationToken = default) =>
        store.ListGroupsAsync(cancellationToken);

    public async ValueTask<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var deleted = await store.DeleteGroupAsync(id, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            Log.GroupDeleted(_logger, id);
        }

        return deleted;
    }

    public async ValueTask<DeviceGroupMember> AddMemberAsync(
        Guid groupId,
        Guid deviceId,
        GroupMemberRole role = GroupMemberRole.Primary,
        int priority = 0,
        CancellationToken cancellationToken = default)
    {
        var group = await store.GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false)
            ?? throw new DeviceGroupNotFoundException(groupId, "group_id");
        var device = await devices.GetAsync(deviceId, cancellationToken).ConfigureAwait(false)
            ?? throw new DeviceNotFoundException(deviceId, "device_id");

        var errors = new List<DeviceValidationError>();
        if (DeviceLifecycle.IsTerminal(device.State))
        {
            errors.Add(new DeviceValidationError { Field = "device_id", Message = $"device {device.Name} is {device.State} and cannot join a group" });
        }

        if (!string.Equals(group.Site, DeviceGroup.AllSites, StringComparison.Ordinal)
            && !string.Equals(group.Site, device.Site, StringComparison.Ordinal))
        {
            errors.Add(new DeviceValidationError { Field = "site", Message = $"device {device.Name} is at site {device.Site}, group {group.Name} is for site {group.Site}" });
        }

        if (!Enum.IsDefined(role))
        {
            errors.Add(new DeviceValidationError { Field = "role", Message = $"{(int)role} is not a role; use primary, backup or monitor" });
        }

        if (priority < 0)
        {
            errors.Add(new DeviceValidationError { Field = "priority", Message = $"must be 0 or more, not {priority}" });
        }

        if (errors.Count > 0)
        {
            throw new DeviceValidationException(errors);
        }

        var member = new DeviceGroupMember { GroupId = groupId, DeviceId = deviceId, Role = role, Priority = priority };
        await store.SetMemberAsync(member, cancellationToken).ConfigureAwait(false);
        Log.GroupMemberSet(_logger, device.Name, role, priority, group.Name);
        return member;
    }

    public async ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default)
    {
        var removed = await store.RemoveMemberAsync(groupId, deviceId, cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            Log.GroupMemberRemoved(_logger, deviceId, groupId);
        }

        return removed;
    }

    public ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default) =>
        store.ListMembersAsync(groupId, cancellationToken);

    public async ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default)
    {
        _ = await devices.GetAsync(deviceId, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(deviceId);
        return await store.ListMembershipsAsync(deviceId, cancellationToken).ConfigureAwait(false);
    }
}
