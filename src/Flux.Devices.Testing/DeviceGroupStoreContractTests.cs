using Flux.Devices.Groups;
using Flux.Devices.Storage;
using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>
/// The contract of <see cref="IDeviceGroupStore"/>: groups and their members. Memberships refer to devices, so the
/// store under test keeps both (it is a whole <see cref="IDeviceStore"/>). Derive a test class and return a fresh
/// empty store from <c>CreateStoreAsync</c>.
/// </summary>
public abstract class DeviceGroupStoreContractTests : StoreContractTests<IDeviceStore>
{
    /// <summary>The contract: <c>UpdateManyAsync</c>, decommissioning: removes the device from its groups.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateManyAsync_Decommissioning_RemovesTheDeviceFromItsGroups()
    {
        var group = NewGroup("Fleet", "WLCE", DeviceGroupType.Control);
        await Store.AddGroupAsync(group);
        var device = await Registry.RegisterAsync(ContractSamples.Bess("A"));
        await Store.SetMemberAsync(Member(group, device, GroupMemberRole.Primary, 1));
        var retired = device with { State = DeviceState.Decommissioned, Active = false, Version = device.Version + 1 };

        var outcomes = await Store.UpdateManyAsync([new DeviceWrite(retired, UpdateEntry(retired, "state"))]);

        Assert.Equal([DeviceWriteOutcome.Written], outcomes);
        Assert.Empty(await Store.ListMembersAsync(group.Id));
    }

    // ---- Groups -----------------------------------------------------------------------------------------

    /// <summary>The contract: <c>AddGroupAsync</c>, spec groups: read back by id name and in name order.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddGroupAsync_SpecGroups_ReadBackByIdNameAndInNameOrder()
    {
        var fleet = NewGroup("WLCE-BESS-Fleet", "WLCE", DeviceGroupType.Control);
        var settlement = NewGroup("Settlement-Meters", DeviceGroup.AllSites, DeviceGroupType.Monitoring) with
        {
            Metadata = DeviceMetadata.Parse("""{"purpose": "settlement"}"""),
        };

        await Store.AddGroupAsync(fleet);
        await Store.AddGroupAsync(settlement);

        Assert.Equal(fleet, await Store.GetGroupAsync(fleet.Id));
        Assert.Equal(settlement, await Store.GetGroupByNameAsync("Settlement-Meters"));
        Assert.Equal([settlement, fleet], await Store.ListGroupsAsync());
        Assert.Null(await Store.GetGroupAsync(Guid.NewGuid()));
    }

    /// <summary>The contract: <c>AddGroupAsync</c>, duplicate name: throws already exists.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddGroupAsync_DuplicateName_ThrowsAlreadyExists()
    {
        await Store.AddGroupAsync(NewGroup("Fleet", "WLCE", DeviceGroupType.Control));

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => Store.AddGroupAsync(NewGroup("Fleet", "HMCE", DeviceGroupType.Analysis)).AsTask());

        Assert.Equal("name", error.Field);
        Assert.Single(await Store.ListGroupsAsync());
    }

    /// <summary>The contract: <c>SetMemberAsync</c>, members: listed by priority then name and upserted on repeat.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task SetMemberAsync_Members_ListedByPriorityThenNameAndUpsertedOnRepeat()
    {
        var group = NewGroup("WLCE-BESS-Fleet", "WLCE", DeviceGroupType.Control);
        await Store.AddGroupAsync(group);
        var c = await Registry.RegisterAsync(ContractSamples.Bess("C"));
        var a = await Registry.RegisterAsync(ContractSamples.Bess("A"));
        var b = await Registry.RegisterAsync(ContractSamples.Bess("B"));

        await Store.SetMemberAsync(Member(group, c, GroupMemberRole.Primary, 1));
        await Store.SetMemberAsync(Member(group, b, GroupMemberRole.Backup, 2));
        await Store.SetMemberAsync(Member(group, a, GroupMemberRole.Backup, 2));
        await Store.SetMemberAsync(Member(group, c, GroupMemberRole.Monitor, 3));

        Assert.Equal(
            [Member(group, a, GroupMemberRole.Backup, 2), Member(group, b, GroupMemberRole.Backup, 2), Member(group, c, GroupMemberRole.Monitor, 3)],
            await Store.ListMembersAsync(group.Id));
    }

    /// <summary>The contract: <c>SetMemberAsync</c>, device in many groups: lists its memberships by group name.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task SetMemberAsync_DeviceInManyGroups_ListsItsMembershipsByGroupName()
    {
        var fleet = NewGroup("WLCE-BESS-Fleet", "WLCE", DeviceGroupType.Control);
        var analysis = NewGroup("Analysis", DeviceGroup.AllSites, DeviceGroupType.Analysis);
        await Store.AddGroupAsync(fleet);
        await Store.AddGroupAsync(analysis);
        var device = await Registry.RegisterAsync(ContractSamples.Bess());

        await Store.SetMemberAsync(Member(fleet, device, GroupMemberRole.Primary, 1));
        await Store.SetMemberAsync(Member(analysis, device, GroupMemberRole.Monitor, 5));

        Assert.Equal(
            [Member(analysis, device, GroupMemberRole.Monitor, 5), Member(fleet, device, GroupMemberRole.Primary, 1)],
            await Store.ListMembershipsAsync(device.Id));
        Assert.Empty(await Store.ListMembershipsAsync(Guid.NewGuid()));
    }

    /// <summary>The contract: <c>SetMemberAsync</c>, missing group or device: throws not found and writes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task SetMemberAsync_MissingGroupOrDevice_ThrowsNotFoundAndWritesNothing()
    {
        var group = NewGroup("Fleet", "WLCE", DeviceGroupType.Control);
        await Store.AddGroupAsync(group);
        var device = await Registry.RegisterAsync(ContractSamples.Bess());
        var missingGroup = Guid.NewGuid();
        var missingDevice = Guid.NewGuid();

        var noGroup = await Assert.ThrowsAsync<DeviceGroupNotFoundException>(() =>
            Store.SetMemberAsync(new DeviceGroupMember { GroupId = missingGroup, DeviceId = device.Id, Role = GroupMemberRole.Primary, Priority = 1 }).AsTask());
        var noDevice = await Assert.ThrowsAsync<DeviceNotFoundException>(() =>
            Store.SetMemberAsync(new DeviceGroupMember { GroupId = group.Id, DeviceId = missingDevice, Role = GroupMemberRole.Primary, Priority = 1 }).AsTask());

        Assert.Equal((missingGroup, "group_id"), (noGroup.GroupId!.Value, noGroup.Field));
        Assert.Equal((missingDevice, "device_id"), (noDevice.DeviceId!.Value, noDevice.Field));
        Assert.Empty(await Store.ListMembersAsync(group.Id));
        Assert.Empty(await Store.ListMembershipsAsync(device.Id));
        await Assert.ThrowsAsync<DeviceGroupNotFoundException>(() => Store.ListMembersAsync(missingGroup).AsTask());
    }

    /// <summary>The contract: <c>UpdateAsync</c>, to decommissioned: removes the device from its groups in the same write.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateAsync_ToDecommissioned_RemovesTheDeviceFromItsGroupsInTheSameWrite()
    {
        var fleet = NewGroup("Fleet", "WLCE", DeviceGroupType.Control);
        var analysis = NewGroup("Analysis", DeviceGroup.AllSites, DeviceGroupType.Analysis);
        await Store.AddGroupAsync(fleet);
        await Store.AddGroupAsync(analysis);
        var gone = await Registry.RegisterAsync(ContractSamples.Bess("A"));
        var stays = await Registry.RegisterAsync(ContractSamples.Bess("B"));
        await Store.SetMemberAsync(Member(fleet, gone, GroupMemberRole.Primary, 1));
        await Store.SetMemberAsync(Member(analysis, gone, GroupMemberRole.Monitor, 1));
        await Store.SetMemberAsync(Member(fleet, stays, GroupMemberRole.Backup, 2));

        await Registry.DecommissionAsync(gone.Id, reason: "Replaced");

        Assert.Empty(await Store.ListMembershipsAsync(gone.Id));
        Assert.Equal([Member(fleet, stays, GroupMemberRole.Backup, 2)], await Store.ListMembersAsync(fleet.Id));
        Assert.Empty(await Store.ListMembersAsync(analysis.Id));
        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => Store.SetMemberAsync(Member(fleet, gone, GroupMemberRole.Primary, 1)).AsTask());
        Assert.Equal("device_id", Assert.Single(error.Errors).Field);
        Assert.Empty(await Store.ListMembershipsAsync(gone.Id));
    }

    /// <summary>The contract: <c>RemoveMemberAsync</c> and <c>DeleteGroupAsync</c>: remove memberships but keep devices.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task RemoveMemberAsync_And_DeleteGroupAsync_RemoveMembershipsButKeepDevices()
    {
        var fleet = NewGroup("Fleet", "WLCE", DeviceGroupType.Control);
        var other = NewGroup("Other", "WLCE", DeviceGroupType.Monitoring);
        await Store.AddGroupAsync(fleet);
        await Store.AddGroupAsync(other);
        var a = await Registry.RegisterAsync(ContractSamples.Bess("A"));
        var b = await Registry.RegisterAsync(ContractSamples.Bess("B"));
        await Store.SetMemberAsync(Member(fleet, a, GroupMemberRole.Primary, 1));
        await Store.SetMemberAsync(Member(fleet, b, GroupMemberRole.Backup, 2));
        await Store.SetMemberAsync(Member(other, a, GroupMemberRole.Monitor, 1));

        Assert.True(await Store.RemoveMemberAsync(fleet.Id, b.Id));
        Assert.False(await Store.RemoveMemberAsync(fleet.Id, b.Id));
        Assert.True(await Store.DeleteGroupAsync(fleet.Id));
        Assert.False(await Store.DeleteGroupAsync(fleet.Id));

        Assert.Null(await Store.GetGroupAsync(fleet.Id));
        Assert.Equal([Member(other, a, GroupMemberRole.Monitor, 1)], await Store.ListMembershipsAsync(a.Id));
        Assert.Empty(await Store.ListMembershipsAsync(b.Id));
        Assert.NotNull(await Store.GetAsync(a.Id));
        await Store.AddGroupAsync(NewGroup("Fleet", "WLCE", DeviceGroupType.Control));
    }

    private DeviceGroup NewGroup(string name, string site, DeviceGroupType type) => new()
    {
        Id = Guid.NewGuid(),
        Name = name,
        Site = site,
        GroupType = type,
        CreatedAt = Time.GetUtcNow(),
    };

    private static DeviceGroupMember Member(DeviceGroup group, Device device, GroupMemberRole role, int priority) => new()
    {
        GroupId = group.Id,
        DeviceId = device.Id,
        Role = role,
        Priority = priority,
    };
}
