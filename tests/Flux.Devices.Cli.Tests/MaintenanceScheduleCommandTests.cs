using System.Text.Json;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli.Tests;

/// <summary><c>flux devices maintenance schedule / list / cancel / run</c>, on a SQLite store prepared through the library (against the real clock, with margins of an hour).</summary>
public sealed class MaintenanceScheduleCommandTests : FluxTestBed
{
    private Guid _deviceId;

    public override async ValueTask InitializeAsync() =>
        await WithRegistryAsync(async registry => _deviceId = (await registry.WalkToAsync(SpecSamples.Bess(), DeviceState.Active)).Id);

    [Fact]
    public async Task Schedule_ThenList_ThenCancel_KeepsTheWindowInTheStore()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "maintenance", "schedule", "WLCE-BESS-01", "--at", "1h", "--duration", "2h", "--reason", "Firmware upgrade", "--store", Store);

        Assert.True(code == 0, error);
        Assert.Contains("WLCE-BESS-01", output, StringComparison.Ordinal);
        Assert.Contains("Firmware upgrade", output, StringComparison.Ordinal);
        Assert.Contains("enters maintenance at", error, StringComparison.Ordinal);

        (code, output, error) = await FluxProcess.RunAsync("devices", "maintenance", "list", "WLCE-BESS-01", "--output", "json", "--store", Store);
        Assert.True(code == 0, error);
        var window = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal(("scheduled", "2 hours", "Firmware upgrade", "flux"), (window.GetProperty("status").GetString(), window.GetProperty("duration").GetString(), window.GetProperty("reason").GetString(), window.GetProperty("actor").GetString()));
        var start = window.GetProperty("start").GetDateTimeOffset();
        Assert.InRange(start - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(61));
        var id = window.GetProperty("id").GetString()!;

        (code, output, error) = await FluxProcess.RunAsync("devices", "maintenance", "cancel", id, "--store", Store);
        Assert.True(code == 0, error);
        Assert.Contains("cancelled", output, StringComparison.Ordinal);

        (code, output, _) = await FluxProcess.RunAsync("devices", "maintenance", "list", "--open", "--output", "json", "--store", Store);
        Assert.Equal((0, "[]"), (code, output.Trim()));
    }

    [Fact]
    public async Task Schedule_OverlappingAWindow_ExitsOne_NamingTheWindow_AndStoresNothing()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "maintenance", "schedule", "WLCE-BESS-01", "--at", "1h", "--duration", "2h", "--store", Store);
        Assert.True(code == 0, error);

        (code, _, error) = await FluxProcess.RunAsync("devices", "maintenance", "schedule", "WLCE-BESS-01", "--at", "2h", "--duration", "2h", "--store", Store);

        Assert.Equal(1, code);
        Assert.StartsWith("flux: Invalid start: the window ", error, StringComparison.Ordinal);
        Assert.Contains("overlaps window", error, StringComparison.Ordinal);
        await WithServicesAsync(async services =>
            Assert.Single(await services.GetRequiredService<IMaintenanceScheduler>().ListAsync(cancellationToken: Cancel)));
    }

    [Fact]
    public async Task Run_AWindowThatIsDue_PutsTheDeviceInMaintenance()
    {
        // Placed in the store directly: the scheduler refuses a start in the past, and the command runs on the real clock.
        var now = StoredTime.ToMicroseconds(DateTimeOffset.UtcNow);
        await WithServicesAsync(async services => await services.GetRequiredService<IMaintenanceScheduleStore>().AddMaintenanceWindowAsync(
            new MaintenanceWindow { Id = Guid.NewGuid(), DeviceId = _deviceId, Start = now.AddMinutes(-1), End = now.AddHours(2), Reason = "Firmware upgrade", CreatedAt = now.AddMinutes(-5) },
            Cancel));

        var (code, _, error) = await FluxProcess.RunAsync("devices", "maintenance", "run", "--store", Store);

        Assert.True(code == 0, error);
        Assert.Contains("1 maintenance window(s)", error, StringComparison.Ordinal);
        await WithServicesAsync(async services =>
        {
            Assert.Equal(DeviceState.Maintenance, (await services.GetRequiredService<IDeviceRegistry>().GetAsync(_deviceId, Cancel))!.State);
            Assert.Equal(MaintenanceWindowStatus.InProgress, Assert.Single(await services.GetRequiredService<IMaintenanceScheduler>().ListAsync(cancellationToken: Cancel)).Status);
        });
    }
}
