using Flux.Devices.Health;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Notifications;
using Flux.Devices.Storage;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Modbus.Tests.Health;

/// <summary>The health monitor's polls, samples and lifecycle moves against simulated devices on real sockets.</summary>
public sealed class HealthMonitorTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CheckAsync_SpecTemplateOnAPowerPack_TestsThenActivatesAndRecordsAnOnlineSample()
    {
        await using var rig = HealthRig.Create();
        var server = await rig.StartServerAsync();
        server.AddUnit(1, new PowerPackBessSimulator(rig.Time));
        var device = await rig.RegisterAsync("WLCE-BESS-01", server.Endpoint.Port, 1);
        var templates = rig.Services.GetRequiredService<IDeviceTemplateService>();
        var template = rig.Services.GetRequiredService<DeviceTemplateLoader>().Load(SpecSamples.PowerPackTemplateAsPrinted);
        await templates.CommitAsync(await templates.PlanAsync(template, DeviceFilter.Parse("type=bess,site=WLCE"), Cancel), cancellationToken: Cancel);

        var samples = await rig.Monitor.CheckAsync(cancellationToken: Cancel);

        var sample = Assert.Single(samples);
        Assert.Equal(device.Id, sample.DeviceId);
        Assert.Equal(DeviceHealthStatus.Online, sample.Status);
        Assert.Equal(rig.Time.GetUtcNow(), sample.Timestamp);
        Assert.Equal(0, sample.ErrorCount);
        Assert.Equal(sample.Timestamp, sample.LastSuccessfulPoll);
        Assert.Null(sample.Diagnostics);
        Assert.Equal(new ModbusRequestRecord { UnitId = 1, FunctionCode = 3, Address = 2000, Quantity = 29 }, Assert.Single(server.RecordedRequests) with { ConnectionId = 0, RemoteEndPoint = null }); // the template's map, in one read
        Assert.Equal(sample, await rig.Store.GetLatestHealthAsync(device.Id, Cancel));
        var history = await rig.Registry.GetHistoryAsync(device.Id, Cancel);
        Assert.Equal(
            [DeviceState.Registered, DeviceState.Configured, DeviceState.Testing, DeviceState.Active],
            history.Select(h => h.ToState));
        Assert.Equal([DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded], history.Skip(2).Select(h => h.Trigger));
        Assert.Empty(rig.Notifier.Sent);
    }

    [Fact]
    public async Task CheckAsync_NothingListening_FailsAfterTheRetriesAndAlertsTheOperator()
    {
        await using var rig = HealthRig.Create(o => o.DefaultRetryCount = 2);
        var device = await rig.RegisterAsync("WLCE-BESS-01", ClosedPort(), 1);
        await rig.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);

        var sample = Assert.Single(await rig.Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal(DeviceHealthStatus.Offline, sample.Status);
        Assert.Null(sample.ResponseTimeMs);
        Assert.Equal(1, sample.ErrorCount);
        Assert.Null(sample.LastSuccessfulPoll);
        Assert.Equal(HealthErrorKind.Transport, sample.Diagnostics!.ErrorKind);
        Assert.Equal(3, sample.Diagnostics.Attempts);
        Assert.Equal(DeviceState.Failed, (await rig.Registry.GetAsync(device.Id, Cancel))!.State);
        var alert = Assert.Single(rig.Notifier.Sent);
        Assert.Equal((NotificationKind.DeviceFailed, NotificationSeverity.Critical), (alert.Kind, alert.Severity));
        Assert.Contains(sample.Diagnostics.Error!, alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_StalledDevice_EachAttemptEndsAtTheDeadlineOnTheClock()
    {
        await using var rig = HealthRig.Create(o =>
        {
            o.DefaultTimeout = TimeSpan.FromSeconds(5);
            o.DefaultRetryCount = 1;
        });
        var server = await rig.StartServerAsync();
        var unit = Register0Unit();
        var device = await rig.ActivateAsync(await rig.AddConfiguredAsync("WLCE-BESS-01", server, 1, unit));
        await rig.NextRequestAsync();
        unit.Faults.Stall = true;

        var check = rig.Monitor.CheckAsync(cancellationToken: Cancel).AsTask();
        await rig.NextRequestAsync();
        rig.Time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.False(check.IsCompleted);
        rig.Time.Advance(TimeSpan.FromTicks(1));
        await rig.NextRequestAsync(); // the retry
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        var sample = Assert.Single(await check.WaitAsync(HealthRig.Patience, Cancel));

        Assert.Equal(DeviceHealthStatus.Offline, sample.Status);
        Assert.Equal(HealthErrorKind.Timeout, sample.Diagnostics!.ErrorKind);
        Assert.Equal(2, sample.Diagnostics.Attempts);
        Assert.Equal("no reply within 5 seconds", sample.Diagnostics.Error);
        Assert.Equal(DeviceState.Active, (await rig.Registry.GetAsync(device.Id, Cancel))!.State); // an active device stays active: it is offline
    }

    [Fact]
    public async Task CheckAsync_SlowReply_IsDegradedWithItsResponseTime()
    {
        await using var rig = HealthRig.Create();
        var server = await rig.StartServerAsync();
        var unit = Register0Unit();
        await rig.ActivateAsync(await rig.AddConfiguredAsync("WLCE-BESS-01", server, 1, unit));
        await rig.NextRequestAsync();
        unit.Faults.ResponseDelay = TimeSpan.FromMilliseconds(1500);

        var check = rig.Monitor.CheckAsync(cancellationToken: Cancel).AsTask();
        await rig.NextRequestAsync();
        rig.Time.Advance(TimeSpan.FromMilliseconds(1500));
        var sample = Assert.Single(await check.WaitAsync(HealthRig.Patience, Cancel));

        Assert.Equal(DeviceHealthStatus.Degraded, sample.Status);
        Assert.Equal(1500, sample.ResponseTimeMs);
        Assert.Equal(1, sample.Diagnostics!.Attempts);
        Assert.Equal(0, sample.ErrorCount);
    }

    [Fact]
    public async Task CheckAsync_ActiveDeviceFailingThenRecovering_CountsErrorsInARowAndNotifiesOnceEachWay()
    {
        await using var rig = HealthRig.Create(o => o.DefaultRetryCount = 3);
        var server = await rig.StartServerAsync();
        var unit = Register0Unit();
        var device = await rig.ActivateAsync(await rig.AddConfiguredAsync("WLCE-BESS-01", server, 1, unit));
        var good = (await rig.Store.GetLatestHealthAsync(device.Id, Cancel))!;
        unit.Faults.ExceptionCode = ModbusExceptionCode.IllegalDataAddress;

        var failures = new List<DeviceHealthSample>();
        for (var i = 0; i < 3; i++)
        {
            rig.Time.Advance(TimeSpan.FromMinutes(1));
            failures.Add(Assert.Single(await rig.Monitor.CheckAsync(cancellationToken: Cancel)));
        }

        unit.Faults.Reset();
        rig.Time.Advance(TimeSpan.FromMinutes(1));
        var recovered = Assert.Single(await rig.Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal([1, 2, 3], failures.Select(s => s.ErrorCount));
        Assert.All(failures, s => Assert.Equal(good.Timestamp, s.LastSuccessfulPoll));
        Assert.All(failures, s => Assert.Equal((HealthErrorKind.DeviceException, 2, 1), (s.Diagnostics!.ErrorKind!.Value, s.Diagnostics.ExceptionCode!.Value, s.Diagnostics.Attempts))); // 02 is not retried
        Assert.Equal((DeviceHealthStatus.Online, 0, recovered.Timestamp), (recovered.Status, recovered.ErrorCount, recovered.LastSuccessfulPoll!.Value));
        Assert.Equal([NotificationKind.DeviceOffline, NotificationKind.DeviceRecovered], rig.Notifier.Sent.Select(n => n.Kind));
        Assert.Equal(5, (await rig.Store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Count);
        Assert.Equal(DeviceState.Active, (await rig.Registry.GetAsync(device.Id, Cancel))!.State);
    }

    [Fact]
    public async Task CheckAsync_DevicesInMaintenanceInactiveOrDecommissioned_AreNeverContacted()
    {
        await using var rig = HealthRig.Create();
        var server = await rig.StartServerAsync();
        var maintained = await rig.ActivateAsync(await rig.AddConfiguredAsync("A", server, 1, Register0Unit()));
        var inactive = await rig.ActivateAsync(await rig.AddConfiguredAsync("B", server, 2, Register0Unit()));
        var removed = await rig.ActivateAsync(await rig.AddConfiguredAsync("C", server, 3, Register0Unit()));
        var registered = await rig.RegisterAsync("D", server.Endpoint.Port, 4);
        server.AddUnit(4, Register0Unit());
        var polled = await rig.ActivateAsync(await rig.AddConfiguredAsync("E", server, 5, Register0Unit()));
        await rig.Services.GetRequiredService<Maintenance.IMaintenanceService>().EnterAsync(maintained.Id, "Firmware upgrade", cancellationToken: Cancel);
        await rig.Registry.UpdateAsync(inactive.Id, inactive.Version, new DeviceUpdate { Active = false }, cancellationToken: Cancel);
        await rig.Registry.DecommissionAsync(removed.Id, cancellationToken: Cancel);
        var before = server.RecordedRequests.Count;

        rig.Time.Advance(TimeSpan.FromMinutes(1));
        var samples = await rig.Monitor.CheckAsync(cancellationToken: Cancel);

        Assert.Equal(polled.Id, Assert.Single(samples).DeviceId);
        Assert.Equal(5, Assert.Single(server.RecordedRequests.Skip(before)).UnitId);
        Assert.Equal(DeviceState.Registered, (await rig.Registry.GetAsync(registered.Id, Cancel))!.State);
    }

    [Fact]
    public async Task CheckAsync_NoAddressInTheMetadata_FailsTheTestWithAConfigurationDiagnosis()
    {
        await using var rig = HealthRig.Create();
        var device = await rig.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-01"), cancellationToken: Cancel);
        await rig.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);

        var sample = Assert.Single(await rig.Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal((HealthErrorKind.Configuration, 0), (sample.Diagnostics!.ErrorKind!.Value, sample.Diagnostics.Attempts));
        Assert.Contains("ip_address", sample.Diagnostics.Error, StringComparison.Ordinal);
        Assert.Equal(DeviceState.Failed, (await rig.Registry.GetAsync(device.Id, Cancel))!.State);
    }

    [Fact]
    public async Task CheckAsync_ANewMonitorOnTheSameStore_CarriesTheErrorCountAndLastGoodPoll()
    {
        var store = new InMemoryDeviceStore();
        Guid id;
        DeviceHealthSample good;
        await using (var first = HealthRig.Create(store: store))
        {
            var server = await first.StartServerAsync();
            var device = await first.ActivateAsync(await first.AddConfiguredAsync("WLCE-BESS-01", server, 1, Register0Unit()));
            id = device.Id;
            good = (await store.GetLatestHealthAsync(id, Cancel))!;
            await server.DisposeAsync(); // the device goes away
            first.Time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(1, Assert.Single(await first.Monitor.CheckAsync(cancellationToken: Cancel)).ErrorCount);
        }

        await using var second = HealthRig.Create(store: store);
        second.Time.Advance(TimeSpan.FromMinutes(2));
        var sample = Assert.Single(await second.Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal((DeviceHealthStatus.Offline, 2, good.Timestamp), (sample.Status, sample.ErrorCount, sample.LastSuccessfulPoll!.Value));
    }

    [Fact]
    public async Task Resolving_WithoutATransport_SaysWhatToRegister()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().AddHealthMonitor();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList());

        Assert.Null(provider.GetService<IDeviceHealthMonitor>()); // the monitor comes with a transport
        Assert.Contains("UseModbusTcp()", error.Message, StringComparison.Ordinal);
    }

    internal static ModbusUnit Register0Unit()
    {
        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, 0, [7]);
        return unit;
    }

    /// <summary>A loopback port nothing listens on: connecting to it is refused at once.</summary>
    internal static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
