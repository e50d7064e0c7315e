using Flux.Devices.Groups;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;

namespace Flux.Devices.Tests.Hosting;

/// <summary>
/// Every public async call takes the cancellation token right after its required arguments, positionally
/// (<c>RegisterAsync(device, cancellationToken)</c> did not compile: an optional actor stood before the token). The
/// calls below compile only through the token-last overloads; each is checked to do what the full call does, and to
/// pass the token on.
/// </summary>
public sealed class TokenLastTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegistryCalls_TakeTheTokenPositionally()
    {
        using var fixture = new RegistryFixture();
        var registry = fixture.Registry;

        var device = await registry.RegisterAsync(SpecSamples.Bess(), Cancel);
        var many = await registry.RegisterManyAsync([SpecSamples.Bess("WLCE-BESS-02"), SpecSamples.Meter("WLCE-METER-01")], Cancel);
        var listed = await registry.ListAsync(Cancel);
        var updated = await registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Site = "HMCE" }, Cancel);
        var configured = await registry.FireAsync(many[0].Id, DeviceTrigger.DeployConfig, Cancel);
        var gone = await registry.DecommissionAsync(many[1].Id, Cancel);
        var goneWithReason = await registry.DecommissionAsync(updated.Id, "Removed", Cancel);

        Assert.Equal(3, listed.Count);
        Assert.Equal(("HMCE", 2L), (updated.Site, updated.Version));
        Assert.Equal(DeviceState.Configured, configured.State);
        Assert.Equal((DeviceState.Decommissioned, DeviceState.Decommissioned), (gone.State, goneWithReason.State));
        Assert.Equal("Removed", (await registry.GetHistoryAsync(updated.Id, Cancel))[^1].Reason);
        Assert.Null((await registry.GetHistoryAsync(device.Id, Cancel))[0].Actor);
    }

    [Fact]
    public async Task MaintenanceGroupsAndTemplates_TakeTheTokenPositionally()
    {
        using var fixture = new RegistryFixture();
        var active = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var other = await fixture.WalkToAsync(SpecSamples.Bess("WLCE-BESS-02"), DeviceState.Active);
        var group = await fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control }, Cancel);

        var entered = await fixture.Maintenance.EnterAsync(active.Id, "Firmware upgrade", Cancel);
        var exited = await fixture.Maintenance.ExitAsync(active.Id, Cancel);
        var timed = await fixture.Maintenance.EnterAsync(other.Id, "Inspection", TimeSpan.FromHours(2), Cancel);
        var primary = await fixture.Groups.AddMemberAsync(group.Id, active.Id, Cancel);
        var backup = await fixture.Groups.AddMemberAsync(group.Id, other.Id, GroupMemberRole.Backup, Cancel);
        var template = fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        await fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-03"), Cancel);
        var plan = await fixture.Templates.PlanAsync(template, DeviceFilter.Parse("name=WLCE-BESS-03"), Cancel);
        var committed = await fixture.Templates.CommitAsync(plan, Cancel);

        Assert.Equal((DeviceState.Maintenance, DeviceState.Testing), (entered.State, exited.State));
        Assert.True(MaintenanceInfo.TryRead(timed.Metadata, out var info));
        Assert.Equal(TimeSpan.FromHours(2), info.ExpectedDuration);
        Assert.Equal((GroupMemberRole.Primary, 0, GroupMemberRole.Backup), (primary.Role, primary.Priority, backup.Role));
        Assert.Equal(1, committed.Applied);
    }

    [Fact]
    public async Task ACancelledToken_IsPassedOn()
    {
        using var fixture = new RegistryFixture();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Registry.RegisterAsync(SpecSamples.Bess(), cancelled.Token).AsTask());
        Assert.Empty(await fixture.Registry.ListAsync(Cancel));
    }
}
