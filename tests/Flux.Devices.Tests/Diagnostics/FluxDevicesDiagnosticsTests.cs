using Flux.Devices.Diagnostics;
using Flux.Devices.Groups;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;

namespace Flux.Devices.Tests.Diagnostics;

public sealed class FluxDevicesDiagnosticsTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    [Fact]
    public void Names_AreTheStableOnesHostsConfigure()
    {
        Assert.Equal("Flux.Devices", FluxDevicesDiagnostics.MeterName);
        string[] categories =
        [
            FluxDevicesDiagnostics.RegistryCategory, FluxDevicesDiagnostics.LifecycleCategory, FluxDevicesDiagnostics.GroupsCategory,
            FluxDevicesDiagnostics.NotificationsCategory, FluxDevicesDiagnostics.DiscoveryCategory, FluxDevicesDiagnostics.HealthCategory,
            FluxDevicesDiagnostics.ModbusCategory, FluxDevicesDiagnostics.MaintenanceCategory, FluxDevicesDiagnostics.TemplatesCategory,
            FluxDevicesDiagnostics.StorageCategory, FluxDevicesDiagnostics.ControlCategory,
        ];
        Assert.Equal(
            ["Flux.Devices.Registry", "Flux.Devices.Lifecycle", "Flux.Devices.Groups", "Flux.Devices.Notifications", "Flux.Devices.Discovery", "Flux.Devices.Health", "Flux.Devices.Modbus",
             "Flux.Devices.Maintenance", "Flux.Devices.Templates", "Flux.Devices.Storage", "Flux.Devices.Control"],
            categories);
        Assert.Equal("Flux.Devices", FluxDevicesDiagnostics.ActivitySourceName);
    }

    [Fact]
    public async Task RegistryGroupsMaintenanceAndNotifications_LogUnderThePublicCategories()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var group = await _fixture.Groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control });
        await _fixture.Groups.AddMemberAsync(group.Id, device.Id, GroupMemberRole.Primary, 1);
        await _fixture.Maintenance.EnterAsync(device.Id, "Firmware upgrade");

        var logs = _fixture.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Category == FluxDevicesDiagnostics.RegistryCategory && l.Id.Id == FluxEventIds.DeviceRegistered);
        Assert.Contains(logs, l => l.Category == FluxDevicesDiagnostics.GroupsCategory && l.Id.Id == FluxEventIds.GroupCreated);
        Assert.Contains(logs, l => l.Category == FluxDevicesDiagnostics.GroupsCategory && l.Id.Id == FluxEventIds.GroupMemberSet);
        Assert.Contains(logs, l => l.Category == FluxDevicesDiagnostics.NotificationsCategory && l.Id.Id == FluxEventIds.Notification);
        // Maintenance is a lifecycle move: entering it is logged as a transition, under the lifecycle category.
        Assert.Contains(logs, l => l.Category == FluxDevicesDiagnostics.LifecycleCategory && l.Id.Id == FluxEventIds.DeviceTransitioned
            && l.Message.Contains("to Maintenance on EnterMaintenance", StringComparison.Ordinal));
        Assert.All(logs, l => Assert.StartsWith("Flux.Devices.", l.Category, StringComparison.Ordinal));
    }

    public void Dispose() => _fixture.Dispose();
}
