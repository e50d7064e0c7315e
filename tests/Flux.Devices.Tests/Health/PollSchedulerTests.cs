using System.Threading.Channels;
using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Health;

/// <summary>The scheduler on a fake clock: due times on each device's grid, wake-ups, the device list, and stopping.</summary>
public sealed class PollSchedulerTests
{
    private static readonly TimeSpan Patience = FakeModbusTransport.Patience;

    private static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly Channel<DateTimeOffset> _sleeps = Channel.CreateUnbounded<DateTimeOffset>();
    private readonly Channel<(Guid Device, DateTimeOffset At)> _polls = Channel.CreateUnbounded<(Guid, DateTimeOffset)>();
    private readonly PollScheduler _scheduler;

    public PollSchedulerTests()
    {
        _scheduler = new PollScheduler(new DeviceHealthOptions { RefreshInterval = TimeSpan.FromHours(1) }, _time)
        {
            Sleeping = until => _sleeps.Writer.TryWrite(until),
        };
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void Track_NewDevice_IsDueAtOnceAndAddedOnce()
    {
        var device = HealthTestDevices.Device(interval: "10s");
        var added = false;

        var target = _scheduler.Track(device, Start, ref added);
        var again = false;
        var same = _scheduler.Track(device, Start.AddSeconds(3), ref again);

        Assert.True(added);
        Assert.False(again);
        Assert.Same(target, same);
        Assert.Equal((Start, TimeSpan.FromSeconds(10)), (target.NextDue, target.Interval));
    }

    [Fact]
    public void Track_ShorterInterval_AppliesFromNowNotAfterTheLongerOne()
    {
        var device = HealthTestDevices.Device(interval: "1h");
        var added = false;
        var target = _scheduler.Track(device, Start, ref added);
        target.NextDue = Start.AddHours(1);

        _scheduler.Track(device with { Version = 2, Metadata = HealthTestDevices.Metadata("10s", null, null, null) }, Start.AddMinutes(1), ref added);

        Assert.Equal(Start.AddMinutes(1).AddSeconds(10), target.NextDue);
    }

    [Fact]
    public void Reconcile_ForgetsDevicesNoLongerListed_ButNotOneBeingPolled()
    {
        var (a, b, c) = (HealthTestDevices.Device("A"), HealthTestDevices.Device("B"), HealthTestDevices.Device("C"));
        Assert.True(_scheduler.Reconcile([a, b, c], Start));
        var polling = _scheduler.Targets.Single(t => t.DeviceId == c.Id);
        Assert.True(polling.TryBegin());

        var added = _scheduler.Reconcile([a], Start.AddMinutes(1));

        Assert.False(added);
        Assert.Equal(new[] { a.Id, c.Id }.Order(), _scheduler.Targets.Select(t => t.DeviceId).Order());
    }

    [Fact]
    public void Seed_CarriesTheStoredCountersToDevicesThisMonitorNeverPolled()
    {
        var (fresh, polled) = (HealthTestDevices.Device("A"), HealthTestDevices.Device("B"));
        _scheduler.Reconcile([fresh, polled], Start);
        var polledTarget = _scheduler.Targets.Single(t => t.DeviceId == polled.Id);
        polledTarget.LastTimestamp = Start;
        var lastGood = Start.AddHours(-1);

        _scheduler.Seed(
        [
            new DeviceHealthSample { DeviceId = fresh.Id, Timestamp = Start.AddMinutes(-1), Status = DeviceHealthStatus.Offline, ErrorCount = 4, LastSuccessfulPoll = lastGood },
            new DeviceHealthSample { DeviceId = polled.Id, Timestamp = Start.AddMinutes(-1), Status = DeviceHealthStatus.Offline, ErrorCount = 4, LastSuccessfulPoll = lastGood },
        ]);

        var freshTarget = _scheduler.Targets.Single(t => t.DeviceId == fresh.Id);
        Assert.Equal((4, lastGood, true), (freshTarget.ErrorCount, freshTarget.LastSuccess!.Value, freshTarget.OfflineReported));
        Assert.Equal((0, null, false), (polledTarget.ErrorCount, polledTarget.LastSuccess, polledTarget.OfflineReported));
    }

    [Fact]
    public async Task RunAsync_EachDeviceIsPolledOnItsOwnPeriod_AndTheLoopSleepsUntilTheNextDueTime()
    {
        var (fast, slow) = (HealthTestDevices.Device("A", interval: "10s"), HealthTestDevices.Device("B", interval: "30s"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var run = _scheduler.RunAsync(Refresh([fast, slow]), Polls(), stop.Token);

        var polled = new List<(Guid Device, DateTimeOffset At)>();
        polled.AddRange(await NextPollsAsync(2));
        for (var step = 1; step <= 3; step++)
        {
            await SleepUntilAsync(Start.AddSeconds(10 * step));
            _time.Advance(TimeSpan.FromSeconds(10));
            polled.AddRange(await NextPollsAsync(step == 3 ? 2 : 1));
        }

        await stop.CancelAsync();
        await run.WaitAsync(Patience, Cancel);

        Assert.Equal([Start, Start.AddSeconds(10), Start.AddSeconds(20), Start.AddSeconds(30)], polled.Where(p => p.Device == fast.Id).Select(p => p.At));
        Assert.Equal([Start, Start.AddSeconds(30)], polled.Where(p => p.Device == slow.Id).Select(p => p.At));
    }

    [Fact]
    public async Task RunAsync_APollLongerThanItsPeriod_IsNotStartedTwiceAndItsEndWakesTheLoopToKeepTheGrid()
    {
        var device = HealthTestDevices.Device(interval: "10s");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var run = _scheduler.RunAsync(Refresh([device]), Polls(call => call == 1 ? release.Task : Task.CompletedTask), stop.Token);
        Assert.Equal(Start, (await NextPollsAsync(1))[0].At);

        await SleepUntilAsync(Start.AddSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(25));
        await SleepUntilAsync(Start.AddHours(1)); // due, but in flight: not started again; the loop sleeps until the next refresh
        release.SetResult();
        var late = (await NextPollsAsync(1))[0]; // the end of the poll woke the loop
        await SleepUntilAsync(Start.AddSeconds(30)); // back on the grid of the first poll

        await stop.CancelAsync();
        await run.WaitAsync(Patience, Cancel);
        Assert.Equal(Start.AddSeconds(25), late.At);
        Assert.False(_polls.Reader.TryRead(out _));
    }

    [Fact]
    public async Task RunAsync_RefreshesTheDeviceListOnItsInterval()
    {
        var refreshes = Channel.CreateUnbounded<DateTimeOffset>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var run = _scheduler.RunAsync((now, _) => { refreshes.Writer.TryWrite(now); return ValueTask.CompletedTask; }, Polls(), stop.Token);

        var first = await refreshes.Reader.ReadAsync(Cancel).AsTask().WaitAsync(Patience, Cancel);
        await SleepUntilAsync(Start.AddHours(1));
        _time.Advance(TimeSpan.FromHours(1));
        var second = await refreshes.Reader.ReadAsync(Cancel).AsTask().WaitAsync(Patience, Cancel);
        await stop.CancelAsync();
        await run.WaitAsync(Patience, Cancel);

        Assert.Equal((Start, Start.AddHours(1)), (first, second));
    }

    [Fact]
    public async Task RunAsync_Stopped_ReturnsOnlyWhenThePollsInFlightHaveEnded()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var run = _scheduler.RunAsync(Refresh([HealthTestDevices.Device()]), Polls(_ => release.Task), stop.Token); // a poll that ends when it ends, whatever the token says
        await NextPollsAsync(1);

        await stop.CancelAsync();
        var stoppedBeforeThePollEnded = run.IsCompleted;
        release.SetResult();
        await run.WaitAsync(Patience, Cancel);

        Assert.False(stoppedBeforeThePollEnded);
        Assert.True(run.IsCompletedSuccessfully);
    }

    private Func<DateTimeOffset, CancellationToken, ValueTask> Refresh(IReadOnlyList<Device> devices) => (now, _) =>
    {
        _scheduler.Reconcile(devices, now);
        return ValueTask.CompletedTask;
    };

    /// <summary>Polls that record when they start, then do what <paramref name="then"/> says (given the call's number); each holds its target in flight, as the monitor's poll does.</summary>
    private Func<PollTarget, CancellationToken, Task> Polls(Func<int, Task>? then = null)
    {
        var calls = 0;
        return async (target, _) =>
        {
            if (!target.TryBegin())
            {
                return;
            }

            try
            {
                _polls.Writer.TryWrite((target.DeviceId, _time.GetUtcNow()));
                await (then?.Invoke(Interlocked.Increment(ref calls)) ?? Task.CompletedTask);
            }
            finally
            {
                target.End();
            }
        };
    }

    private async Task<List<(Guid Device, DateTimeOffset At)>> NextPollsAsync(int count)
    {
        var polls = new List<(Guid, DateTimeOffset)>(count);
        while (polls.Count < count)
        {
            polls.Add(await _polls.Reader.ReadAsync(Cancel).AsTask().WaitAsync(Patience, Cancel));
        }

        return polls;
    }

    /// <summary>Waits until the loop goes to sleep until the given time (the end of a poll wakes it, so it may sleep more than once).</summary>
    private async Task SleepUntilAsync(DateTimeOffset until)
    {
        while (await _sleeps.Reader.ReadAsync(Cancel).AsTask().WaitAsync(Patience, Cancel) != until)
        {
        }
    }
}
