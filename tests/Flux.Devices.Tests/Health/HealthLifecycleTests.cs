using Flux.Devices.Diagnostics;
using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Flux.Devices.Notifications;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Flux.Devices.Tests.Health;

/// <summary>The lifecycle moves polls drive, on the real registry: the test of a configured device, and offline and recovered notices.</summary>
public sealed class HealthLifecycleTests : IDisposable
{
    private readonly RecordingNotifier _notifier = new();
    private readonly RegistryFixture _fixture;
    private readonly FakeLogger _logger = new();
    private readonly HealthLifecycle _lifecycle;

    public HealthLifecycleTests()
    {
        _fixture = new RegistryFixture(b => b.AddNotifier(_notifier));
        _lifecycle = new HealthLifecycle(_fixture.Registry, _fixture.Store, _fixture.Services.GetRequiredService<NotificationDispatcher>(), _logger);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BeginAsync_ConfiguredDevice_MovesToTestingOnItsFirstPollAttempt()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Configured);

        var testing = await _lifecycle.BeginAsync(device, Cancel);

        Assert.Equal(DeviceState.Testing, testing!.State);
        Assert.Equal(DeviceTrigger.PollAttempted, (await _fixture.Registry.GetHistoryAsync(device.Id, Cancel))[^1].Trigger);
    }

    [Fact]
    public async Task BeginAsync_ActiveDevice_IsPolledAsItIs()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);

        Assert.Same(device, await _lifecycle.BeginAsync(device, Cancel));
    }

    [Fact]
    public async Task BeginAsync_ConfiguredDeviceThatMovedMeanwhile_IsNotPolledAndTheSkipIsLogged()
    {
        var configured = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Configured);
        await _fixture.Registry.DecommissionAsync(configured.Id, cancellationToken: Cancel); // by another process, say

        var polled = await _lifecycle.BeginAsync(configured, Cancel);

        Assert.Null(polled);
        Assert.Contains(_logger.Collector.GetSnapshot(), l => l.Id.Id == FluxEventIds.PollTransitionSkipped);
    }

    [Theory]
    [InlineData(DeviceHealthStatus.Online, DeviceState.Active)]
    [InlineData(DeviceHealthStatus.Degraded, DeviceState.Active)]
    [InlineData(DeviceHealthStatus.Offline, DeviceState.Failed)]
    public async Task ApplyAsync_DeviceInTesting_EndsTheTestWithThePoll(DeviceHealthStatus status, DeviceState expected)
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Testing);

        var after = await _lifecycle.ApplyAsync(Target(device), device, Sample(device, status), Cancel);

        Assert.Equal(expected, after.State);
        Assert.Equal(expected, (await _fixture.Registry.GetAsync(device.Id, Cancel))!.State);
    }

    [Fact]
    public async Task ApplyAsync_ActiveDeviceFailingThenRecovering_NotifiesOnceEachWayAndStaysActive()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var target = Target(device);

        foreach (var status in new[] { DeviceHealthStatus.Offline, DeviceHealthStatus.Offline, DeviceHealthStatus.Online, DeviceHealthStatus.Online })
        {
            Assert.Equal(DeviceState.Active, (await _lifecycle.ApplyAsync(target, device, Sample(device, status), Cancel)).State);
        }

        var sent = _notifier.Sent.Where(n => n.DeviceId == device.Id).ToList();
        Assert.Equal([NotificationKind.DeviceOffline, NotificationKind.DeviceRecovered], sent.Select(n => n.Kind));
        Assert.Contains("connection refused", sent[0].Message, StringComparison.Ordinal);
        Assert.False(target.OfflineReported);
    }

    [Fact]
    public async Task ApplyAsync_RegistryFails_LogsItAndKeepsTheDeviceAsItWas()
    {
        var unknown = HealthTestDevices.Device(state: DeviceState.Testing); // never stored: firing on it fails

        var after = await _lifecycle.ApplyAsync(Target(unknown), unknown, Sample(unknown, DeviceHealthStatus.Online), Cancel);

        Assert.Same(unknown, after);
        var log = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(FluxEventIds.PollAborted, log.Id.Id);
        Assert.IsType<DeviceNotFoundException>(log.Exception);
    }

    public void Dispose() => _fixture.Dispose();

    private static PollTarget Target(Device device)
    {
        var target = new PollTarget(device.Id);
        target.Update(device, new DeviceHealthOptions());
        return target;
    }

    private DeviceHealthSample Sample(Device device, DeviceHealthStatus status) => new()
    {
        DeviceId = device.Id,
        Timestamp = _fixture.Time.GetUtcNow(),
        Status = status,
        ResponseTimeMs = status == DeviceHealthStatus.Offline ? null : 12,
        ErrorCount = status == DeviceHealthStatus.Offline ? 1 : 0,
        Diagnostics = status == DeviceHealthStatus.Offline ? new HealthDiagnostics { ErrorKind = HealthErrorKind.Transport, Error = "connection refused", Attempts = 1 } : null,
    };
}
