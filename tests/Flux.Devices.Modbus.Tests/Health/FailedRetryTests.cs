using Flux.Devices.Health;
using Flux.Devices.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Modbus.Tests.Health;

/// <summary>A Failed device comes back: over a real Modbus TCP connection on loopback, the clock a fake one advanced only when the loop sleeps.</summary>
public sealed class FailedRetryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_ADeviceThatStopsAnsweringFails_AndWhenItAnswersAgainIsActiveAtItsFirstProbe()
    {
        await using var rig = HealthRig.Create(o => o.DefaultRetryCount = 0);
        var server = await rig.StartServerAsync();
        var unit = HealthMonitorTests.Register0Unit();
        var device = await rig.AddConfiguredAsync("WLCE-BESS-01", server, 1, unit);
        var telemetry = rig.Services.GetRequiredService<IDeviceTelemetry>();
        var start = rig.Time.GetUtcNow();
        unit.Faults.Stall = true; // the simulator stops answering
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var run = rig.Monitor.RunAsync(stop.Token);
        await rig.NextRequestAsync(); // the first poll reached the simulator, which keeps quiet
        rig.Time.Advance(TimeSpan.FromSeconds(5)); // the poll's deadline
        var (failed, timedOut) = await rig.Observer.NextAsync();
        unit.Faults.Stall = false; // it answers again
        var failedAt = start.AddSeconds(5);
        await AdvanceToAsync(rig, failedAt + new DeviceHealthOptions().FailedRetryInterval); // 5 minutes; the list is read every 30 s on the way
        var (back, answered) = await rig.Observer.NextAsync();
        var readingsOfTheProbe = telemetry.GetLatest(device.Id);
        await stop.CancelAsync();
        await run.WaitAsync(HealthRig.Patience, Cancel);

        Assert.Equal((DeviceState.Failed, DeviceHealthStatus.Offline), (failed.State, timedOut.Status));
        Assert.Equal((DeviceState.Active, DeviceHealthStatus.Online), (back.State, answered.Status));
        Assert.Equal(failedAt.AddMinutes(5), answered.Timestamp);
        Assert.Empty(readingsOfTheProbe); // the device was Failed when probed: no telemetry
        var history = await rig.Registry.GetHistoryAsync(device.Id, Cancel);
        Assert.Equal(
            [DeviceTrigger.PollAttempted, DeviceTrigger.PollFailed, DeviceTrigger.Retry, DeviceTrigger.PollSucceeded],
            history.Where(e => e.Trigger is not null && e.Trigger != DeviceTrigger.DeployConfig).Select(e => e.Trigger!.Value));
    }

    /// <summary>Moves the clock to each time the loop sleeps until, up to <paramref name="until"/>.</summary>
    private static async Task AdvanceToAsync(HealthRig rig, DateTimeOffset until)
    {
        while (rig.Time.GetUtcNow() < until)
        {
            var sleep = await rig.NextSleepAsync();
            Assert.True(sleep <= until, $"the loop slept until {sleep:O}, past {until:O}");
            if (sleep > rig.Time.GetUtcNow())
            {
                rig.Time.Advance(sleep - rig.Time.GetUtcNow());
            }
        }
    }
}
