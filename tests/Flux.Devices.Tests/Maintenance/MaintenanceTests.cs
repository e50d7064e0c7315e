using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Notifications;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Flux.Devices.Tests.Maintenance;

public sealed class MaintenanceTests
{
    private static readonly DateTimeOffset SpecTime = new(2024, 1, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EnterAsync_ActiveDevice_DoesWhatTheSpecShowsAndNotifies()
    {
        var notifier = new Mock<INotifier>();
        using var fixture = new RegistryFixture(b => b.AddNotifier(notifier.Object));
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        fixture.Time.SetUtcNow(SpecTime);

        var inMaintenance = await fixture.Maintenance.EnterAsync(device.Id, "Firmware upgrade", TimeSpan.FromHours(2), actor: "ops");

        Assert.Equal((DeviceState.Maintenance, false, false), (inMaintenance.State, inMaintenance.Active, inMaintenance.ShouldPoll));
        Assert.Equal(
            """{"started_at":"2024-01-01T10:00:00Z","reason":"Firmware upgrade","expected_duration":"2 hours"}""",
            DeviceMetadata.FromElement(inMaintenance.Metadata[MaintenanceInfo.MetadataKey]).ToJsonString());
        Assert.True(MaintenanceInfo.TryRead(inMaintenance.Metadata, out var info));
        Assert.Equal(SpecTime.AddHours(2), info.ExpectedEnd);
        notifier.Verify(
            n => n.SendAsync(
                new Notification { Kind = NotificationKind.MaintenanceStarted, Severity = NotificationSeverity.Information, DeviceId = device.Id, DeviceName = "WLCE-BESS-01", Message = "Device WLCE-BESS-01 entering maintenance: Firmware upgrade (expected to take 2 hours)", Timestamp = SpecTime },
                It.IsAny<CancellationToken>()),
            Times.Once);
        var entry = (await fixture.Registry.GetHistoryAsync(device.Id))[^1];
        Assert.Equal((DeviceTrigger.EnterMaintenance, "Firmware upgrade", "ops"), (entry.Trigger!.Value, entry.Reason, entry.Actor));
    }

    [Fact]
    public async Task ExitAsync_DeviceInMaintenance_ClearsItGoesBackThroughTestingAndNotifies()
    {
        var notifier = new Mock<INotifier>();
        using var fixture = new RegistryFixture(b => b.AddNotifier(notifier.Object));
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        await fixture.Maintenance.EnterAsync(device.Id, "Firmware upgrade");

        var back = await fixture.Maintenance.ExitAsync(device.Id, actor: "ops");

        Assert.Equal((DeviceState.Testing, true, true), (back.State, back.Active, back.ShouldPoll));
        Assert.Equal(device.Metadata, back.Metadata);
        notifier.Verify(n => n.SendAsync(It.Is<Notification>(x => x.Kind == NotificationKind.MaintenanceEnded && x.DeviceId == device.Id), It.IsAny<CancellationToken>()), Times.Once);
        var active = await fixture.Registry.FireAsync(device.Id, DeviceTrigger.PollSucceeded);
        Assert.Equal(DeviceState.Active, active.State);
    }

    [Fact]
    public async Task EnterAsync_FailedDevice_IsAllowedSoThatItCanBeRepaired()
    {
        using var fixture = new RegistryFixture();
        var testing = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Testing);
        await fixture.Registry.FireAsync(testing.Id, DeviceTrigger.PollFailed);

        var inMaintenance = await fixture.Maintenance.EnterAsync(testing.Id, "Replace comms card");

        Assert.Equal(DeviceState.Maintenance, inMaintenance.State);
    }

    [Theory]
    [InlineData(DeviceState.Registered)]
    [InlineData(DeviceState.Configured)]
    [InlineData(DeviceState.Testing)]
    public async Task EnterAsync_DeviceNotActive_ThrowsAndChangesNothing(DeviceState state)
    {
        var notifier = new Mock<INotifier>();
        using var fixture = new RegistryFixture(b => b.AddNotifier(notifier.Object));
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), state);
        var before = await fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<InvalidLifecycleTransitionException>(() => fixture.Maintenance.EnterAsync(device.Id, "Firmware upgrade").AsTask());

        Assert.Equal((state, DeviceTrigger.EnterMaintenance), (error.State, error.Trigger));
        Assert.Equal(before, await fixture.SnapshotAsync());
        notifier.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task EnterAsync_BlankReasonAndNegativeDuration_ReportsBothAndChangesNothing()
    {
        using var fixture = new RegistryFixture();
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => fixture.Maintenance.EnterAsync(device.Id, " ", TimeSpan.FromMinutes(-5)).AsTask());

        Assert.Equal(["reason", "expected_duration"], error.Errors.Select(e => e.Field));
        Assert.Equal(device, await fixture.Registry.GetAsync(device.Id));
    }

    [Fact]
    public async Task ExitAsync_DeviceNotInMaintenance_Throws()
    {
        using var fixture = new RegistryFixture();
        var device = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);

        var error = await Assert.ThrowsAsync<InvalidLifecycleTransitionException>(() => fixture.Maintenance.ExitAsync(device.Id).AsTask());

        Assert.Equal(DeviceState.Active, error.State);
    }

    [Fact]
    public void TryRead_BlockWrittenBySpecSql_IsRead()
    {
        // The spec's UPDATE ... jsonb_set(metadata, '{maintenance}', '{...}') as another tool would write it.
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With(
            MaintenanceInfo.MetadataKey,
            DeviceMetadata.Parse("""
                {
                "started_at": "2024-01-01T10:00:00Z",
                "reason": "Firmware upgrade",
                "expected_duration": "2 hours"
                }
                """));

        Assert.True(MaintenanceInfo.TryRead(metadata, out var info));
        Assert.Equal(new MaintenanceInfo { StartedAt = SpecTime, Reason = "Firmware upgrade", ExpectedDuration = TimeSpan.FromHours(2) }, info);
    }

    [Theory]
    [InlineData("""{"reason":"x"}""")]
    [InlineData("""{"started_at":"yesterday","reason":"x"}""")]
    [InlineData("""{"started_at":"2024-01-01T10:00:00Z"}""")]
    [InlineData("\"in maintenance\"")]
    public void TryRead_UnreadableBlock_ReturnsFalse(string block)
    {
        var metadata = DeviceMetadata.Parse($$"""{"maintenance": {{block}}}""");

        Assert.False(MaintenanceInfo.TryRead(metadata, out _));
        Assert.False(MaintenanceInfo.TryRead(DeviceMetadata.Empty, out _));
    }

    [Theory]
    [InlineData("2 hours", 7200)]
    [InlineData("1 hour", 3600)]
    [InlineData("90 minutes", 5400)]
    [InlineData("1 hour 30 minutes", 5400)]
    [InlineData("1 hour, 30 minutes", 5400)]
    [InlineData("1 hour and 30 minutes", 5400)]
    [InlineData("1.5h", 5400)]
    [InlineData("2h30m", 9000)]
    [InlineData("45 sec", 45)]
    [InlineData("1 day", 86400)]
    [InlineData("1 week", 604800)]
    [InlineData("PT2H", 7200)]
    [InlineData("pt1h30m", 5400)]
    [InlineData("02:00:00", 7200)]
    [InlineData("1.02:00:00", 93600)]
    [InlineData("1 day 02:00:00", 93600)]
    [InlineData("2 days 03:04:05.5", 183845.5)]
    [InlineData("36:00:00", 129600)]
    [InlineData("00:30", 1800)]
    [InlineData("  2 HOURS ", 7200)]
    public void DurationText_TryParse_ReadsHowPeopleWriteDurations(string text, double seconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("2")]
    [InlineData("2 fortnights")]
    [InlineData("two hours")]
    [InlineData("2 hours later")]
    [InlineData("-2 hours")]
    [InlineData("PT-2H")]
    [InlineData("1 day 25:99:00")]
    [InlineData("soon 02:00:00")]
    [InlineData("02:00:00 later")]
    [InlineData("99999999999999999999 days")]
    public void DurationText_TryParse_RefusesWhatIsNotADuration(string? text) =>
        Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData(7200, "2 hours")]
    [InlineData(3600, "1 hour")]
    [InlineData(5400, "1 hour 30 minutes")]
    [InlineData(93_601, "1 day 2 hours 1 second")]
    [InlineData(0, "0 seconds")]
    public void DurationText_Format_WritesWhatTheSpecWrites(int seconds, string text)
    {
        Assert.Equal(text, DurationText.Format(TimeSpan.FromSeconds(seconds)));
        Assert.True(DurationText.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}
