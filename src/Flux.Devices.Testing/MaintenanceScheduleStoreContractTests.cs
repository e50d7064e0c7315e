using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>
/// The contract of <see cref="IMaintenanceScheduleStore"/>: the scheduled maintenance windows. Derive a test class and
/// return a fresh empty store from <c>CreateStoreAsync</c>. A store that is a whole <see cref="IDeviceStore"/> keeps the
/// devices too, and must refuse a window of an unknown device; a schedule store of its own keeps windows of any device id.
/// </summary>
public abstract class MaintenanceScheduleStoreContractTests : StoreContractTests<IMaintenanceScheduleStore>
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The contract: windows added read back as stored (times cut to the microsecond), listed by start then id, by device, open only.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddMaintenanceWindowAsync_Windows_ReadBackAndListedByStart()
    {
        var a = await DeviceIdAsync("A");
        var b = await DeviceIdAsync("B");
        var late = Window(a, T0.AddHours(5), TimeSpan.FromHours(1)) with { Actor = "ops", Reason = "Firmware upgrade" };
        var early = Window(a, T0.AddTicks(7), TimeSpan.FromHours(2));
        var other = Window(b, T0.AddHours(1), TimeSpan.FromMinutes(30));

        foreach (var window in new[] { late, early, other })
        {
            await Store.AddMaintenanceWindowAsync(window);
        }

        var earlyStored = early with { Start = T0, End = T0.AddHours(2) };
        Assert.Equal(late, await Store.GetMaintenanceWindowAsync(late.Id));
        Assert.Equal(earlyStored, await Store.GetMaintenanceWindowAsync(early.Id));
        Assert.Null(await Store.GetMaintenanceWindowAsync(Guid.NewGuid()));
        Assert.Equal([earlyStored, other, late], await Store.ListMaintenanceWindowsAsync(null, openOnly: false));
        Assert.Equal([earlyStored, late], await Store.ListMaintenanceWindowsAsync(a, openOnly: false));
        Assert.Empty(await Store.ListMaintenanceWindowsAsync(Guid.NewGuid(), openOnly: false));

        Assert.True(await Store.SetMaintenanceWindowStatusAsync(early.Id, MaintenanceWindowStatus.Scheduled, MaintenanceWindowStatus.Cancelled, "by ops"));
        Assert.Equal([late], await Store.ListMaintenanceWindowsAsync(a, openOnly: true));
        Assert.Equal(
            [earlyStored with { Status = MaintenanceWindowStatus.Cancelled, Note = "by ops" }, late],
            await Store.ListMaintenanceWindowsAsync(a, openOnly: false));
    }

    /// <summary>The contract: a window overlapping an open window of the same device is refused naming <c>start</c> and the window it overlaps; nothing is stored.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddMaintenanceWindowAsync_OverlappingAnOpenWindow_IsRefusedAndNothingStored()
    {
        var a = await DeviceIdAsync("A");
        var first = Window(a, T0, TimeSpan.FromHours(2));
        await Store.AddMaintenanceWindowAsync(first);
        var inside = Window(a, T0.AddHours(1), TimeSpan.FromMinutes(10));
        var around = Window(a, T0.AddHours(-1), TimeSpan.FromHours(4));
        var tail = Window(a, T0.AddHours(2).AddTicks(-10), TimeSpan.FromHours(1));

        foreach (var refused in new[] { inside, around, tail })
        {
            var error = await Assert.ThrowsAsync<MaintenanceWindowOverlapException>(async () => await Store.AddMaintenanceWindowAsync(refused));
            Assert.Equal("start", Assert.Single(error.Errors).Field);
            Assert.Equal(first.Id, error.ExistingWindowId);
        }

        Assert.Equal([first], await Store.ListMaintenanceWindowsAsync(a, openOnly: false));
    }

    /// <summary>The contract: a window may start when another ends, may overlap a closed window (cancelled, completed, skipped) or another device's.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddMaintenanceWindowAsync_AdjacentClosedOrOtherDevice_IsAccepted()
    {
        var a = await DeviceIdAsync("A");
        var b = await DeviceIdAsync("B");
        var first = Window(a, T0, TimeSpan.FromHours(2));
        await Store.AddMaintenanceWindowAsync(first);

        await Store.AddMaintenanceWindowAsync(Window(a, T0.AddHours(2), TimeSpan.FromHours(1)));
        await Store.AddMaintenanceWindowAsync(Window(b, T0, TimeSpan.FromHours(2)));
        Assert.True(await Store.SetMaintenanceWindowStatusAsync(first.Id, MaintenanceWindowStatus.Scheduled, MaintenanceWindowStatus.Skipped, "device failed"));
        await Store.AddMaintenanceWindowAsync(Window(a, T0.AddMinutes(30), TimeSpan.FromMinutes(30)));

        Assert.Equal(3, (await Store.ListMaintenanceWindowsAsync(a, openOnly: false)).Count);
    }

    /// <summary>The contract: of windows added at once that overlap each other, exactly one is stored.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddMaintenanceWindowAsync_OverlappingWindowsAtOnce_ExactlyOneIsStored()
    {
        var a = await DeviceIdAsync("A");
        var windows = Enumerable.Range(0, 6).Select(i => Window(a, T0.AddMinutes(i), TimeSpan.FromHours(1))).ToList();

        var outcomes = await Task.WhenAll(windows.Select(async w =>
        {
            try
            {
                await Store.AddMaintenanceWindowAsync(w);
                return true;
            }
            catch (MaintenanceWindowOverlapException)
            {
                return false;
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o));
        Assert.Single(await Store.ListMaintenanceWindowsAsync(a, openOnly: false));
    }

    /// <summary>The contract: a window of an unknown device is refused naming <c>device_id</c> by a whole store; a window with a taken id is refused.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddMaintenanceWindowAsync_UnknownDeviceOrTakenId_IsRefused()
    {
        var a = await DeviceIdAsync("A");
        var window = Window(a, T0, TimeSpan.FromHours(1));
        await Store.AddMaintenanceWindowAsync(window);

        await Assert.ThrowsAsync<AlreadyExistsException>(async () => await Store.AddMaintenanceWindowAsync(window with { Start = T0.AddDays(1), End = T0.AddDays(1).AddHours(1) }));
        if (Store is IDeviceRegistryStore)
        {
            var unknown = Guid.NewGuid();
            var error = await Assert.ThrowsAsync<DeviceNotFoundException>(async () => await Store.AddMaintenanceWindowAsync(Window(unknown, T0, TimeSpan.FromHours(1))));
            Assert.Equal((unknown, "device_id"), (error.DeviceId, error.Field));
        }

        Assert.Equal([window], await Store.ListMaintenanceWindowsAsync(null, openOnly: false));
    }

    /// <summary>The contract: <c>SetMaintenanceWindowStatusAsync</c> is a compare-and-set on the status: it moves a window only from the status expected.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task SetMaintenanceWindowStatusAsync_MovesOnlyFromTheExpectedStatus()
    {
        var a = await DeviceIdAsync("A");
        var window = Window(a, T0, TimeSpan.FromHours(1));
        await Store.AddMaintenanceWindowAsync(window);

        Assert.False(await Store.SetMaintenanceWindowStatusAsync(window.Id, MaintenanceWindowStatus.InProgress, MaintenanceWindowStatus.Completed, null));
        Assert.True(await Store.SetMaintenanceWindowStatusAsync(window.Id, MaintenanceWindowStatus.Scheduled, MaintenanceWindowStatus.InProgress, "started"));
        Assert.False(await Store.SetMaintenanceWindowStatusAsync(window.Id, MaintenanceWindowStatus.Scheduled, MaintenanceWindowStatus.InProgress, null));
        Assert.True(await Store.SetMaintenanceWindowStatusAsync(window.Id, MaintenanceWindowStatus.InProgress, MaintenanceWindowStatus.Completed, null));
        Assert.False(await Store.SetMaintenanceWindowStatusAsync(Guid.NewGuid(), MaintenanceWindowStatus.Scheduled, MaintenanceWindowStatus.Cancelled, null));

        Assert.Equal(window with { Status = MaintenanceWindowStatus.Completed, Note = null }, await Store.GetMaintenanceWindowAsync(window.Id));
    }

    private static MaintenanceWindow Window(Guid deviceId, DateTimeOffset start, TimeSpan duration) => new()
    {
        Id = Guid.NewGuid(),
        DeviceId = deviceId,
        Start = start,
        End = start + duration,
        Reason = "Scheduled maintenance",
        CreatedAt = T0.AddDays(-1),
        Status = MaintenanceWindowStatus.Scheduled,
    };

    private async Task<Guid> DeviceIdAsync(string name) => (await Registry.RegisterAsync(ContractSamples.Bess(name))).Id;
}
