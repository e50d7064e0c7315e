using System.Diagnostics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;

namespace Flux.Devices.Tests.Maintenance;

/// <summary>Entering and leaving maintenance are traced and logged under the maintenance category.</summary>
public sealed class MaintenanceTracingTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task EnterAndExit_EachAnActivityWithTheDevice_AndALogUnderTheMaintenanceCategory()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        using var recorder = new ActivityRecorder();

        await _fixture.Maintenance.EnterAsync(device.Id, "Firmware upgrade", TimeSpan.FromHours(2), actor: "ops");
        await _fixture.Maintenance.ExitAsync(device.Id, actor: "ops");

        var entered = Assert.Single(recorder.Named(MaintenanceService.EnterActivityName));
        var exited = Assert.Single(recorder.Named(MaintenanceService.ExitActivityName));
        Assert.All([entered, exited], a =>
        {
            Assert.Equal((device.Id.ToString(), "WLCE-BESS-01"), (a.GetTagItem("flux.device.id"), a.GetTagItem("flux.device.name")));
            Assert.Equal((ActivityStatusCode.Unset, recorder.Root.SpanId), (a.Status, a.ParentSpanId));
        });
        var logs = _fixture.Logs.GetSnapshot().Where(l => l.Category == FluxDevicesDiagnostics.MaintenanceCategory).ToList();
        Assert.Equal([FluxEventIds.MaintenanceEntered, FluxEventIds.MaintenanceExited], logs.Select(l => l.Id.Id));
        Assert.Equal(
            $"Device WLCE-BESS-01 ({device.Id}) entered maintenance: Firmware upgrade (expected duration 02:00:00, by ops)",
            logs[0].Message);
    }

    [Fact]
    public async Task Enter_NotPermitted_ActivityFailsWithTheErrorTypeAndNothingIsLogged()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess()); // Registered: maintenance is not permitted
        using var recorder = new ActivityRecorder();

        await Assert.ThrowsAsync<InvalidLifecycleTransitionException>(async () => await _fixture.Maintenance.EnterAsync(device.Id, "Firmware upgrade"));

        var entered = Assert.Single(recorder.Named(MaintenanceService.EnterActivityName));
        Assert.Equal(ActivityStatusCode.Error, entered.Status);
        Assert.Equal(typeof(InvalidLifecycleTransitionException).FullName, entered.GetTagItem("error.type"));
        Assert.DoesNotContain(_fixture.Logs.GetSnapshot(), l => l.Category == FluxDevicesDiagnostics.MaintenanceCategory);
    }
}
