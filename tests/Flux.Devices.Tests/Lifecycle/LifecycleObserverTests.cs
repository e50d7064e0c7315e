using Flux.Devices.Lifecycle;
using Flux.Devices.Notifications;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;

namespace Flux.Devices.Tests.Lifecycle;

public sealed class LifecycleObserverTests
{
    [Fact]
    public async Task FireAsync_Observers_AreToldAfterCommitWithTheSpecAction()
    {
        var observer = new Mock<IDeviceLifecycleObserver>(MockBehavior.Strict);
        var seen = new List<(DeviceTransitioned Event, Device? Stored)>();
        IDeviceRegistry? registry = null;
        observer.Setup(o => o.OnTransitionedAsync(It.IsAny<DeviceTransitioned>(), It.IsAny<CancellationToken>()))
            .Returns(async (DeviceTransitioned e, CancellationToken ct) => seen.Add((e, await registry!.GetAsync(e.Device.Id, ct))));
        using var fixture = new RegistryFixture(b => b.Services.AddSingleton(observer.Object));
        registry = fixture.Registry;

        var active = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);

        Assert.Equal(
            [LifecycleAction.UpdateMetadata, LifecycleAction.VerifyCommunication, LifecycleAction.EnableTelemetry],
            seen.Select(s => s.Event.Transition.Action));
        Assert.All(seen, s => Assert.Equal(s.Event.Device, s.Stored));
        Assert.Equal(DeviceState.Testing, seen[^1].Event.Previous.State);
        Assert.Equal(active, seen[^1].Event.Device);
        Assert.Equal(active.Version, seen[^1].Event.Entry.Version);
    }

    [Fact]
    public async Task FireAsync_ObserverThrows_TransitionStandsAndOtherObserversRun()
    {
        var failing = new Mock<IDeviceLifecycleObserver>();
        failing.Setup(o => o.OnTransitionedAsync(It.IsAny<DeviceTransitioned>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("telemetry service down"));
        var healthy = new Mock<IDeviceLifecycleObserver>();
        using var fixture = new RegistryFixture(b =>
        {
            b.Services.AddSingleton(failing.Object);
            b.Services.AddSingleton(healthy.Object);
        });
        var device = await fixture.Registry.RegisterAsync(SpecSamples.Bess());

        var configured = await fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig);

        Assert.Equal(DeviceState.Configured, (await fixture.Registry.GetAsync(device.Id))!.State);
        Assert.Equal(DeviceState.Configured, configured.State);
        healthy.Verify(o => o.OnTransitionedAsync(It.Is<DeviceTransitioned>(e => e.Device.State == DeviceState.Configured), It.IsAny<CancellationToken>()), Times.Once);
        var log = Assert.Single(fixture.Logs.GetSnapshot(), l => l.Id.Id == 2001);
        Assert.Equal(LogLevel.Error, log.Level);
        Assert.Equal("telemetry service down", log.Exception?.Message);
    }

    [Fact]
    public async Task FireAsync_PollFailed_AlertsTheOperatorThroughEveryNotifier()
    {
        var notifier = new Mock<INotifier>();
        var second = new Mock<INotifier>();
        using var fixture = new RegistryFixture(b => b.AddNotifier(notifier.Object).AddNotifier(second.Object));
        var testing = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Testing);

        await fixture.Registry.FireAsync(testing.Id, DeviceTrigger.PollFailed, reason: "timeout after 3 retries");

        var expected = new Notification { Kind = NotificationKind.DeviceFailed, Severity = NotificationSeverity.Critical, DeviceId = testing.Id, DeviceName = "WLCE-BESS-01", Message = "Device WLCE-BESS-01 failed: timeout after 3 retries", Timestamp = fixture.Time.GetUtcNow() };
        notifier.Verify(n => n.SendAsync(expected, It.IsAny<CancellationToken>()), Times.Once);
        second.Verify(n => n.SendAsync(expected, It.IsAny<CancellationToken>()), Times.Once);
        Assert.Contains(fixture.Logs.GetSnapshot(), l => l.Id.Id == 2800 && l.Level == LogLevel.Error);
    }

    [Fact]
    public async Task FireAsync_NotifierThrows_OthersStillNotifiedAndTheFailureIsLogged()
    {
        var broken = new Mock<INotifier>();
        broken.Setup(n => n.SendAsync(It.IsAny<Notification>(), It.IsAny<CancellationToken>())).ThrowsAsync(new HttpRequestException("pager unreachable"));
        var working = new Mock<INotifier>();
        using var fixture = new RegistryFixture(b => b.AddNotifier(broken.Object).AddNotifier(working.Object));
        var testing = await fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Testing);

        var failed = await fixture.Registry.FireAsync(testing.Id, DeviceTrigger.PollFailed);

        Assert.Equal(DeviceState.Failed, failed.State);
        working.Verify(n => n.SendAsync(It.Is<Notification>(x => x.Kind == NotificationKind.DeviceFailed), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Contains(fixture.Logs.GetSnapshot(), l => l.Id.Id == 2801 && l.Exception is HttpRequestException);
    }

    [Fact]
    public async Task AddLifecycleObserver_SameTypeTwice_IsCalledOnce()
    {
        using var fixture = new RegistryFixture(b => b.AddLifecycleObserver<CountingObserver>().AddLifecycleObserver<CountingObserver>().Services.AddSingleton<Counter>());
        var device = await fixture.Registry.RegisterAsync(SpecSamples.Bess());

        await fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig);

        Assert.Equal(1, fixture.Services.GetRequiredService<Counter>().Calls);
    }

    private sealed class Counter
    {
        public int Calls;
    }

    private sealed class CountingObserver(Counter counter) : IDeviceLifecycleObserver
    {
        public ValueTask OnTransitionedAsync(DeviceTransitioned transition, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref counter.Calls);
            return ValueTask.CompletedTask;
        }
    }
}
