using Flux.Devices.Lifecycle;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;

namespace Flux.Devices.Tests.Lifecycle;

public sealed class DeviceLifecycleTests
{
    [Fact]
    public void Transitions_HoldTheSpecTableRowByRow()
    {
        var spec = DeviceLifecycle.Transitions.Where(t => t.FromSpec)
            .Select(t => (t.From, t.To, t.Description, DeviceLifecycle.Describe(t.Action)));

        Assert.Equal(
            [
                (DeviceState.Registered, DeviceState.Configured, "Config deployment", "Update metadata"),
                (DeviceState.Configured, DeviceState.Testing, "First poll attempt", "Verify communication"),
                (DeviceState.Testing, DeviceState.Active, "Successful poll", "Enable telemetry"),
                (DeviceState.Testing, DeviceState.Failed, "Poll timeout/error", "Alert operator"),
                (DeviceState.Active, DeviceState.Maintenance, "Scheduled/Manual", "Disable control"),
                (DeviceState.Active, DeviceState.Decommissioned, "Removal", "Archive data"),
            ],
            spec);
    }

    [Fact]
    public void Transitions_AddWhatOperatorsNeed()
    {
        Assert.Equal(DeviceState.Testing, Target(DeviceState.Maintenance, DeviceTrigger.ExitMaintenance));
        Assert.Equal(DeviceState.Testing, Target(DeviceState.Failed, DeviceTrigger.Retry));
        Assert.Equal(DeviceState.Maintenance, Target(DeviceState.Failed, DeviceTrigger.EnterMaintenance));
        foreach (var state in Enum.GetValues<DeviceState>().Where(s => s != DeviceState.Decommissioned))
        {
            Assert.Equal(DeviceState.Decommissioned, Target(state, DeviceTrigger.Decommission));
        }

        Assert.True(DeviceLifecycle.IsTerminal(DeviceState.Decommissioned));
        Assert.Empty(DeviceLifecycle.GetPermittedTriggers(DeviceState.Decommissioned));
        Assert.Single(Enum.GetValues<DeviceState>(), DeviceLifecycle.IsTerminal);
        Assert.False(DeviceLifecycle.CanFire((DeviceState)99, DeviceTrigger.Retry));
        Assert.False(DeviceLifecycle.CanFire(DeviceState.Failed, (DeviceTrigger)99));
    }

    [Fact]
    public void Transitions_EachStateAndTriggerAtMostOnce()
    {
        Assert.Equal(
            DeviceLifecycle.Transitions.Count,
            DeviceLifecycle.Transitions.Select(t => (t.From, t.Trigger)).Distinct().Count());
    }

    [Fact]
    public void IsPolled_OnlyConfiguredTestingAndActive()
    {
        Assert.Equal(
            [DeviceState.Configured, DeviceState.Testing, DeviceState.Active],
            Enum.GetValues<DeviceState>().Where(DeviceLifecycle.IsPolled));
    }

    [Fact]
    public void ToMermaid_DrawsTheWholeTable()
    {
        Assert.Equal(
            """
            stateDiagram-v2
                [*] --> Registered
                Registered --> Configured : DeployConfig: Config deployment / Update metadata
                Configured --> Testing : PollAttempted: First poll attempt / Verify communication
                Testing --> Active : PollSucceeded: Successful poll / Enable telemetry
                Testing --> Failed : PollFailed: Poll timeout/error / Alert operator
                Active --> Maintenance : EnterMaintenance: Scheduled/Manual / Disable control
                Active --> Decommissioned : Decommission: Removal / Archive data
                Maintenance --> Testing : ExitMaintenance: Maintenance finished / Verify communication
                Failed --> Testing : Retry: Retry / Verify communication
                Failed --> Maintenance : EnterMaintenance: Scheduled/Manual / Disable control
                Registered --> Decommissioned : Decommission: Removal / Archive data
                Configured --> Decommissioned : Decommission: Removal / Archive data
                Testing --> Decommissioned : Decommission: Removal / Archive data
                Failed --> Decommissioned : Decommission: Removal / Archive data
                Maintenance --> Decommissioned : Decommission: Removal / Archive data
                Decommissioned --> [*]

            """.ReplaceLineEndings("\n"),
            DeviceLifecycle.ToMermaid());
    }

    [Fact]
    public void LibraryPage_LifecycleDiagram_IsTheOneTheCodeDraws()
    {
        var page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "library.md")).ReplaceLineEndings("\n");
        const string fence = "```mermaid\n";
        var start = page.IndexOf(fence, StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/library.md has no ```mermaid block");
        start += fence.Length;
        var end = page.IndexOf("```", start, StringComparison.Ordinal);

        Assert.Equal(DeviceLifecycle.ToMermaid(), page[start..end]);
    }

    public static TheoryData<DeviceState, DeviceTrigger> IllegalPairs()
    {
        var data = new TheoryData<DeviceState, DeviceTrigger>();
        foreach (var state in Enum.GetValues<DeviceState>())
        {
            foreach (var trigger in Enum.GetValues<DeviceTrigger>().Where(t => !DeviceLifecycle.CanFire(state, t)))
            {
                data.Add(state, trigger);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IllegalPairs))]
    public async Task FireAsync_TriggerTheStateDoesNotPermit_ThrowsNamingBothAndChangesNothing(DeviceState state, DeviceTrigger trigger)
    {
        using var fixture = new RegistryFixture();
        var device = await ReachAsync(fixture, state);
        var before = await fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<InvalidLifecycleTransitionException>(() =>
            fixture.Registry.FireAsync(device.Id, trigger, reason: "test").AsTask());

        Assert.Equal((device.Id, state, trigger), (error.DeviceId, error.State, error.Trigger));
        Assert.Contains(state.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(trigger.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal(DeviceLifecycle.GetPermittedTriggers(state), error.PermittedTriggers);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    public static TheoryData<DeviceState, DeviceTrigger> LegalPairs()
    {
        var data = new TheoryData<DeviceState, DeviceTrigger>();
        foreach (var t in DeviceLifecycle.Transitions)
        {
            data.Add(t.From, t.Trigger);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LegalPairs))]
    public async Task FireAsync_PermittedTrigger_MovesTheDeviceAndRecordsIt(DeviceState state, DeviceTrigger trigger)
    {
        using var fixture = new RegistryFixture();
        var device = await ReachAsync(fixture, state);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        var moved = await fixture.Registry.FireAsync(device.Id, trigger, reason: "test", actor: "tester", expectedVersion: device.Version);

        var expected = Target(state, trigger);
        Assert.Equal((expected, device.Version + 1), (moved.State, moved.Version));
        Assert.Equal(expected is not (DeviceState.Maintenance or DeviceState.Decommissioned), moved.Active);
        var entry = (await fixture.Registry.GetHistoryAsync(device.Id))[^1];
        Assert.Equal(
            (DeviceChangeKind.Transitioned, (DeviceState?)state, expected, (DeviceTrigger?)trigger, "test", "tester", fixture.Time.GetUtcNow(), moved.Version),
            (entry.Kind, entry.FromState, entry.ToState, entry.Trigger, entry.Reason, entry.Actor, entry.Timestamp, entry.Version));
    }

    private static DeviceState Target(DeviceState from, DeviceTrigger trigger) =>
        DeviceLifecycle.TryGetTransition(from, trigger, out var t) ? t.To : throw new InvalidOperationException($"{from} does not permit {trigger}");

    private static async Task<Device> ReachAsync(RegistryFixture fixture, DeviceState state)
    {
        var bess = SpecSamples.Bess();
        switch (state)
        {
            case DeviceState.Failed:
                var testing = await fixture.WalkToAsync(bess, DeviceState.Testing);
                return await fixture.Registry.FireAsync(testing.Id, DeviceTrigger.PollFailed, reason: "timeout");
            case DeviceState.Maintenance:
                var active = await fixture.WalkToAsync(bess, DeviceState.Active);
                return await fixture.Maintenance.EnterAsync(active.Id, "Firmware upgrade");
            case DeviceState.Decommissioned:
                var registered = await fixture.Registry.RegisterAsync(bess);
                return await fixture.Registry.DecommissionAsync(registered.Id);
            default:
                return await fixture.WalkToAsync(bess, state);
        }
    }
}
