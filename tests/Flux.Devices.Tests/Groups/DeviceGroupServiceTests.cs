using Flux.Devices.Groups;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;

namespace Flux.Devices.Tests.Groups;

public sealed class DeviceGroupServiceTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task CreateAsync_SpecGroups_AreCreatedWithTheClockTime()
    {
        var fleet = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        var settlement = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "Settlement-Meters", Site = DeviceGroup.AllSites, GroupType = DeviceGroupType.Monitoring });

        Assert.Equal(_fixture.Time.GetUtcNow(), fleet.CreatedAt);
        Assert.Equal([settlement, fleet], await _fixture.Groups.ListAsync());
        Assert.Equal(fleet, await _fixture.Groups.GetByNameAsync("WLCE-BESS-Fleet"));
        Assert.Equal(settlement, await _fixture.Groups.GetAsync(settlement.Id));
    }

    [Fact]
    public async Task CreateAsync_BadFields_ReportsEveryOneAndStoresNothing()
    {
        var error = await Assert.ThrowsAsync<DeviceValidationException>(() =>
            _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "", Site = " ", GroupType = (DeviceGroupType)7 }).AsTask());

        Assert.Equal(["name", "site", "group_type"], error.Errors.Select(e => e.Field));
        Assert.Empty(await _fixture.Groups.ListAsync());
    }

    [Fact]
    public async Task CreateAsync_TakenName_ThrowsAlreadyExists()
    {
        await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() =>
            _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "Fleet", Site = "HMCE", GroupType = DeviceGroupType.Analysis }).AsTask());

        Assert.Equal("name", error.Field);
        Assert.Single(await _fixture.Groups.ListAsync());
    }

    [Fact]
    public async Task AddMemberAsync_BessFleet_MembersListedInPriorityOrder()
    {
        var fleet = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        var b1 = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-01"));
        var b2 = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-02", modbusAddress: 3));
        var b3 = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-03", modbusAddress: 4));

        await _fixture.Groups.AddMemberAsync(fleet.Id, b3.Id, GroupMemberRole.Backup, priority: 20);
        await _fixture.Groups.AddMemberAsync(fleet.Id, b1.Id, GroupMemberRole.Primary, priority: 10);
        await _fixture.Groups.AddMemberAsync(fleet.Id, b2.Id, GroupMemberRole.Primary, priority: 10);

        var members = await _fixture.Groups.ListMembersAsync(fleet.Id);
        Assert.Equal([b1.Id, b2.Id, b3.Id], members.Select(m => m.DeviceId));
        Assert.Equal([GroupMemberRole.Primary, GroupMemberRole.Primary, GroupMemberRole.Backup], members.Select(m => m.Role));
    }

    [Fact]
    public async Task AddMemberAsync_AgainWithOtherRole_UpdatesTheMembership()
    {
        var fleet = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Groups.AddMemberAsync(fleet.Id, device.Id, GroupMemberRole.Primary, 1);

        var updated = await _fixture.Groups.AddMemberAsync(fleet.Id, device.Id, GroupMemberRole.Backup, 5);

        Assert.Equal(updated, Assert.Single(await _fixture.Groups.ListMembersAsync(fleet.Id)));
        Assert.Equal((GroupMemberRole.Backup, 5), (updated.Role, updated.Priority));
    }

    [Fact]
    public async Task AddMemberAsync_DeviceInManyGroups_AllMembershipsListed()
    {
        var fleet = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        var settlement = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "Settlement-Meters", Site = DeviceGroup.AllSites, GroupType = DeviceGroupType.Monitoring });
        var hmce = await _fixture.Registry.RegisterAsync(SpecSamples.Meter("HMCE-GRID-METER", "HMCE"));
        var meter = await _fixture.Registry.RegisterAsync(SpecSamples.Meter());

        await _fixture.Groups.AddMemberAsync(settlement.Id, meter.Id, GroupMemberRole.Monitor, 1);
        await _fixture.Groups.AddMemberAsync(settlement.Id, hmce.Id, GroupMemberRole.Monitor, 2);
        await _fixture.Groups.AddMemberAsync(fleet.Id, meter.Id, GroupMemberRole.Monitor, 9);

        Assert.Equal([settlement.Id, fleet.Id], (await _fixture.Groups.ListMembershipsAsync(meter.Id)).Select(m => m.GroupId));
        Assert.Equal([meter.Id, hmce.Id], (await _fixture.Groups.ListMembersAsync(settlement.Id)).Select(m => m.DeviceId));
    }

    [Fact]
    public async Task AddMemberAsync_MissingGroupOrDevice_ThrowsNotFoundAndStoresNothing()
    {
        var fleet = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var before = await _fixture.SnapshotAsync();

        await Assert.ThrowsAsync<DeviceGroupNotFoundException>(() => _fixture.Groups.AddMemberAsync(Guid.NewGuid(), device.Id).AsTask());
        await Assert.ThrowsAsync<DeviceNotFoundException>(() => _fixture.Groups.AddMemberAsync(fleet.Id, Guid.NewGuid()).AsTask());
        await Assert.ThrowsAsync<DeviceGroupNotFoundException>(() => _fixture.Groups.ListMembersAsync(Guid.NewGuid()).AsTask());
        await Assert.ThrowsAsync<DeviceNotFoundException>(() => _fixture.Groups.ListMembershipsAsync(Guid.NewGuid()).AsTask());

        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task AddMemberAsync_BreaksRules_ReportsEveryFieldAndStoresNothing()
    {
        var fleet = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        var gone = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("HMCE-BESS-01", "HMCE"));
        await _fixture.Registry.DecommissionAsync(gone.Id);
        var before = await _fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() =>
            _fixture.Groups.AddMemberAsync(fleet.Id, gone.Id, (GroupMemberRole)9, priority: -1).AsTask());

        Assert.Equal(["device_id", "site", "role", "priority"], error.Errors.Select(e => e.Field));
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task RemoveAndDelete_KeepTheDevices()
    {
        var fleet = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Groups.AddMemberAsync(fleet.Id, device.Id);

        Assert.True(await _fixture.Groups.RemoveMemberAsync(fleet.Id, device.Id));
        Assert.False(await _fixture.Groups.RemoveMemberAsync(fleet.Id, device.Id));
        Assert.True(await _fixture.Groups.DeleteAsync(fleet.Id));
        Assert.False(await _fixture.Groups.DeleteAsync(fleet.Id));
        Assert.Equal(device, await _fixture.Registry.GetAsync(device.Id));
    }
}
