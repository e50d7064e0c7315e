using System.Threading.Channels;
using Flux.Devices.Diagnostics;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Notifications;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Maintenance;

public sealed class MaintenanceScheduleTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ScheduleAsync_PastStartAndNoDuration_AreRefusedNamingBothFields_NothingStored()
    {
        using var fixture = new RegistryFixture();
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = Scheduler(fixture);

        var error = await Assert.ThrowsAsync<DeviceValidationException>(async () =>
            await scheduler.ScheduleAsync(device.Id, fixture.Time.GetUtcNow().AddSeconds(-1), TimeSpan.Zero, cancellationToken: Cancel));

        Assert.Equal(["start", "duration"], error.Errors.Select(e => e.Field));
        Assert.Contains("in the past", error.Errors[0].Message, StringComparison.Ordinal);
        Assert.Empty(await scheduler.ListAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task ScheduleAsync_OverlappingAnotherWindowOfTheDevice_IsRefusedNamingStart()
    {
        using var fixture = new RegistryFixture();
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = Scheduler(fixture);
        var now = fixture.Time.GetUtcNow();
        var first = await scheduler.ScheduleAsync(device.Id, now.AddHours(1), TimeSpan.FromHours(2), "Firmware upgrade", "ops", Cancel);

        var error = await Assert.ThrowsAsync<MaintenanceWindowOverlapException>(async () =>
            await scheduler.ScheduleAsync(device.Id, now.AddHours(2), TimeSpan.FromHours(2), cancellationToken: Cancel));

        Assert.Equal("start", Assert.Single(error.Errors).Field);
        Assert.Equal(first.Id, error.ExistingWindowId);
        Assert.Equal([first], await scheduler.ListAsync(device.Id, cancellationToken: Cancel));
    }

    [Fact]
    public async Task RunDueAsync_EntersAtTheStartAndLeavesAtTheEnd_RecordedAndNotified()
    {
        var notices = new RecordingNotifier();
        using var fixture = new RegistryFixture(b => b.AddNotifier(notices));
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = Scheduler(fixture);
        var start = fixture.Time.GetUtcNow().AddHours(1);
        var window = await scheduler.ScheduleAsync(device.Id, start, TimeSpan.FromHours(2), "Firmware upgrade", "ops", Cancel);

        Assert.Equal(0, await scheduler.RunDueAsync(Cancel));
        fixture.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));

        var inMaintenance = (await fixture.Registry.GetAsync(device.Id, Cancel))!;
        Assert.Equal(DeviceState.Maintenance, inMaintenance.State);
        Assert.True(MaintenanceInfo.TryRead(inMaintenance.Metadata, out var info));
        Assert.Equal((start, "Firmware upgrade", start.AddHours(2)), (info.StartedAt, info.Reason, info.ExpectedEnd));
        Assert.Equal(MaintenanceWindowStatus.InProgress, (await scheduler.ListAsync(device.Id, cancellationToken: Cancel))[0].Status);
        Assert.Equal(0, await scheduler.RunDueAsync(Cancel)); // nothing more until the end

        fixture.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));

        Assert.Equal(DeviceState.Testing, (await fixture.Registry.GetAsync(device.Id, Cancel))!.State);
        Assert.Equal(window with { Status = MaintenanceWindowStatus.Completed }, Assert.Single(await scheduler.ListAsync(device.Id, cancellationToken: Cancel)));
        var history = await fixture.Registry.GetHistoryAsync(device.Id, Cancel);
        Assert.Equal(
            [(DeviceTrigger.EnterMaintenance, "Firmware upgrade", "ops", start), (DeviceTrigger.ExitMaintenance, "Maintenance finished", "ops", start.AddHours(2))],
            history.TakeLast(2).Select(h => (h.Trigger!.Value, h.Reason, h.Actor, h.Timestamp)));
        Assert.Equal([NotificationKind.MaintenanceStarted, NotificationKind.MaintenanceEnded], notices.All.Select(n => n.Kind));
    }

    [Theory]
    [InlineData(DeviceState.Maintenance, "maintenance")]
    [InlineData(DeviceState.Decommissioned, "decommissioned")]
    public async Task RunDueAsync_DeviceNotActiveAtTheStart_SkipsTheWindowWithANoteAndAWarning_DeviceUntouched(DeviceState state, string named)
    {
        using var fixture = new RegistryFixture();
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = Scheduler(fixture);
        var window = await scheduler.ScheduleAsync(device.Id, fixture.Time.GetUtcNow().AddMinutes(5), TimeSpan.FromHours(1), cancellationToken: Cancel);
        if (state == DeviceState.Maintenance)
        {
            await fixture.Maintenance.EnterAsync(device.Id, "By hand", Cancel);
        }
        else
        {
            await fixture.Registry.FireAsync(device.Id, DeviceTrigger.Decommission);
        }

        var before = (await fixture.Registry.GetAsync(device.Id, Cancel))!;
        Assert.NotEqual(DeviceState.Active, before.State);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));

        Assert.Equal(before, await fixture.Registry.GetAsync(device.Id, Cancel));
        var skipped = Assert.Single(await scheduler.ListAsync(device.Id, cancellationToken: Cancel));
        Assert.Equal(MaintenanceWindowStatus.Skipped, skipped.Status);
        Assert.Contains($"was {named}", skipped.Note, StringComparison.Ordinal);
        Assert.Contains(fixture.Logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Category == FluxDevicesDiagnostics.MaintenanceCategory && l.Message.Contains(window.Id.ToString(), StringComparison.Ordinal));
        fixture.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await scheduler.RunDueAsync(Cancel));
    }

    [Fact]
    public async Task RunDueAsync_AWindowWhoseEndPassedBeforeAnyRun_IsSkippedAsMissed()
    {
        using var fixture = new RegistryFixture();
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = Scheduler(fixture);
        await scheduler.ScheduleAsync(device.Id, fixture.Time.GetUtcNow().AddMinutes(5), TimeSpan.FromMinutes(10), cancellationToken: Cancel);
        fixture.Time.Advance(TimeSpan.FromMinutes(15)); // the host was down for the whole window

        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));

        Assert.Equal(DeviceState.Active, (await fixture.Registry.GetAsync(device.Id, Cancel))!.State);
        var missed = Assert.Single(await scheduler.ListAsync(device.Id, cancellationToken: Cancel));
        Assert.Equal(MaintenanceWindowStatus.Skipped, missed.Status);
        Assert.StartsWith("Missed", missed.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelAsync_AScheduledWindow_NeverRuns_InProgressAndUnknownAreRefused()
    {
        using var fixture = new RegistryFixture();
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = Scheduler(fixture);
        var now = fixture.Time.GetUtcNow();
        var cancelled = await scheduler.ScheduleAsync(device.Id, now.AddMinutes(5), TimeSpan.FromMinutes(10), cancellationToken: Cancel);
        var running = await scheduler.ScheduleAsync(device.Id, now.AddMinutes(30), TimeSpan.FromMinutes(10), cancellationToken: Cancel);

        Assert.Equal(MaintenanceWindowStatus.Cancelled, (await scheduler.CancelAsync(cancelled.Id, "ops", Cancel)).Status);
        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await scheduler.RunDueAsync(Cancel));
        Assert.Equal(DeviceState.Active, (await fixture.Registry.GetAsync(device.Id, Cancel))!.State);

        fixture.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));
        var error = await Assert.ThrowsAsync<DeviceValidationException>(async () => await scheduler.CancelAsync(running.Id, cancellationToken: Cancel));
        Assert.Equal("id", Assert.Single(error.Errors).Field);
        Assert.Contains("in progress", error.Message, StringComparison.Ordinal);
        var unknown = Guid.NewGuid();
        Assert.Equal(unknown, (await Assert.ThrowsAsync<MaintenanceWindowNotFoundException>(async () => await scheduler.CancelAsync(unknown, cancellationToken: Cancel))).WindowId);
        Assert.Equal(
            [("Cancelled by ops", MaintenanceWindowStatus.Cancelled), ((string?)null, MaintenanceWindowStatus.InProgress)],
            (await scheduler.ListAsync(device.Id, cancellationToken: Cancel)).Select(w => (w.Note, w.Status)));
    }

    [Fact]
    public async Task AddMaintenanceSchedule_HostedService_RunsTheWindowOnTheContainersClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero));
        var notices = new RecordingNotifier();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddFluxDevices().AddNotifier(notices).AddMaintenanceSchedule(o => o.Interval = TimeSpan.FromSeconds(30));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var device = await provider.GetRequiredService<IDeviceRegistry>().WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = provider.GetRequiredService<IMaintenanceScheduler>();
        await scheduler.ScheduleAsync(device.Id, time.GetUtcNow().AddMinutes(1), TimeSpan.FromMinutes(10), "Firmware upgrade", cancellationToken: Cancel);
        var hosted = Assert.Single(provider.GetServices<IHostedService>(), s => s is MaintenanceScheduleService);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        deadline.CancelAfter(TimeSpan.FromSeconds(30)); // generous: each move is signalled, never waited for by time

        await hosted.StartAsync(Cancel);
        try
        {
            time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(NotificationKind.MaintenanceStarted, (await notices.Next.ReadAsync(deadline.Token)).Kind);

            time.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(NotificationKind.MaintenanceEnded, (await notices.Next.ReadAsync(deadline.Token)).Kind);
            Assert.Equal(DeviceState.Testing, (await provider.GetRequiredService<IDeviceRegistry>().GetAsync(device.Id, Cancel))!.State);
        }
        finally
        {
            await hosted.StopAsync(Cancel);
        }
    }

    [Fact]
    public void AddFluxDevices_AStoreWithoutTheSchedule_IsNamedWhenTheSchedulerIsResolved()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(new Moq.Mock<Flux.Devices.Storage.IDeviceStore>().Object);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IMaintenanceScheduler>());

        Assert.Contains("IMaintenanceScheduleStore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunDueAsync_AWindowStartedSecondsLate_NoticeSaysItsLengthToTheMinute_ExpectedEndStaysTheWindowsEnd()
    {
        // A scheduler (a cron job, a host's timer) runs a little after the start: the device is told the time left, and
        // the operators' notice does not turn 2 hours into "1 hour 59 minutes 40 seconds" (a flaky walkthrough found it).
        var notices = new RecordingNotifier();
        using var fixture = new RegistryFixture(b => b.AddNotifier(notices));
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var scheduler = Scheduler(fixture);
        var start = fixture.Time.GetUtcNow().AddMinutes(10);
        var window = await scheduler.ScheduleAsync(device.Id, start, TimeSpan.FromHours(2), "Firmware upgrade", "ops", Cancel);

        fixture.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(20));
        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));

        var notice = Assert.Single(notices.All, n => n.Kind == NotificationKind.MaintenanceStarted);
        Assert.Equal("Device WLCE-BESS-01 entering maintenance: Firmware upgrade (expected to take 2 hours)", notice.Message);
        Assert.True(MaintenanceInfo.TryRead((await fixture.Registry.GetAsync(device.Id, Cancel))!.Metadata, out var info));
        Assert.Equal(window.End, info.ExpectedEnd);
    }

    private static IMaintenanceScheduler Scheduler(RegistryFixture fixture) => fixture.Services.GetRequiredService<IMaintenanceScheduler>();

    private sealed class RecordingNotifier : INotifier
    {
        private readonly Channel<Notification> _channel = Channel.CreateUnbounded<Notification>();
        private readonly List<Notification> _all = [];

        public ChannelReader<Notification> Next => _channel.Reader;

        public IReadOnlyList<Notification> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default)
        {
            lock (_all)
            {
                _all.Add(notification);
            }

            _channel.Writer.TryWrite(notification);
            return ValueTask.CompletedTask;
        }
    }
}
