using System.Collections.Concurrent;
using Flux.Devices.Health;
using Flux.Devices.Maintenance;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Modbus.Tests.Health;

/// <summary>
/// Telemetry against the PowerPack simulator on real sockets, configured by the spec's template: an Active device's
/// readings with the spec's scaling, none in maintenance, and Stale readings when a poll fails.
/// </summary>
public sealed class TelemetryTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnActivePowerPack_GivesSoeInKWh_TargetPower_StatusAndAvailableBlocks_InMemoryAndInTheStore()
    {
        var store = new ListTelemetryStore();
        await using var rig = HealthRig.Create(telemetryStore: store);
        var (device, _) = await AddActivePowerPackAsync(rig);

        var sample = Assert.Single(await rig.Monitor.CheckAsync(cancellationToken: Cancel));

        var telemetry = rig.Services.GetRequiredService<IDeviceTelemetry>();
        var latest = telemetry.GetLatest(device.Id).ToDictionary(r => r.Point);
        Assert.Equal((250.0, "kWh"), (latest["soe"].Value, latest["soe"].Unit)); // 500 kWh at 50 %: 250,000 Wh x 0.001
        Assert.Equal((0.0, "kW"), (latest["target_power"].Value, latest["target_power"].Unit));
        Assert.Equal(0.0, latest["status"].Value); // standby
        Assert.Equal(10.0, latest["available_blocks"].Value);
        Assert.All(latest.Values, r => Assert.Equal((TelemetryQuality.Good, sample.Timestamp), (r.Quality, r.Timestamp)));
        Assert.Equal(
            [("available_blocks", 10.0), ("soe", 250.0), ("status", 0.0), ("target_power", 0.0)],
            store.Readings.OrderBy(r => r.Point, StringComparer.Ordinal).Select(r => (r.Point, r.Value!.Value)));
    }

    [Fact]
    public async Task InMaintenance_APowerPackGivesNoReadings_AndItsLatestAreStale()
    {
        var store = new ListTelemetryStore();
        await using var rig = HealthRig.Create(telemetryStore: store);
        var (device, server) = await AddActivePowerPackAsync(rig);
        await rig.Monitor.CheckAsync(cancellationToken: Cancel);
        var requests = server.RequestCount;

        await rig.Services.GetRequiredService<IMaintenanceService>().EnterAsync(device.Id, "Firmware upgrade", cancellationToken: Cancel);
        rig.Time.Advance(TimeSpan.FromSeconds(60));
        var samples = await rig.Monitor.CheckAsync(cancellationToken: Cancel);

        Assert.Empty(samples);
        Assert.Equal(requests, server.RequestCount);
        Assert.Equal(4, store.Readings.Count); // the poll before maintenance only
        var latest = rig.Services.GetRequiredService<IDeviceTelemetry>().GetLatest(device.Id);
        Assert.Equal(4, latest.Count);
        Assert.All(latest, r => Assert.Equal(TelemetryQuality.Stale, r.Quality));
    }

    [Fact]
    public async Task AFailedPoll_TurnsThePowerPacksReadingsStale()
    {
        var store = new ListTelemetryStore();
        await using var rig = HealthRig.Create(telemetryStore: store);
        var (device, server) = await AddActivePowerPackAsync(rig);
        var good = Assert.Single(await rig.Monitor.CheckAsync(cancellationToken: Cancel));

        server.RemoveUnit(1); // the server answers for unit 1 no more: a gateway exception
        rig.Time.Advance(TimeSpan.FromSeconds(60));
        var failed = Assert.Single(await rig.Monitor.CheckAsync(cancellationToken: Cancel));

        Assert.Equal(DeviceHealthStatus.Offline, failed.Status);
        var latest = rig.Services.GetRequiredService<IDeviceTelemetry>().GetLatest(device.Id).ToDictionary(r => r.Point);
        Assert.All(latest.Values, r => Assert.Equal((TelemetryQuality.Stale, good.Timestamp), (r.Quality, r.Timestamp)));
        Assert.Equal(250.0, latest["soe"].Value);
        Assert.Equal(4, store.Readings.Count);
    }

    /// <summary>A PowerPack simulator (500 kWh at 50 %) on a loopback server, registered, configured by the spec's template and made Active by its test poll.</summary>
    private static async Task<(Device Device, ModbusTcpServer Server)> AddActivePowerPackAsync(HealthRig rig)
    {
        var server = await rig.StartServerAsync();
        server.AddUnit(1, new PowerPackBessSimulator(rig.Time));
        var device = await rig.RegisterAsync("WLCE-BESS-01", server.Endpoint.Port, 1);
        var templates = rig.Services.GetRequiredService<IDeviceTemplateService>();
        var template = rig.Services.GetRequiredService<DeviceTemplateLoader>().Load(SpecSamples.PowerPackTemplateAsPrinted);
        await templates.CommitAsync(await templates.PlanAsync(template, DeviceFilter.Parse("type=bess,site=WLCE"), Cancel), cancellationToken: Cancel);
        device = await rig.ActivateAsync((await rig.Registry.GetAsync(device.Id, Cancel))!);
        rig.Time.Advance(TimeSpan.FromSeconds(60));
        return (device, server);
    }

    /// <summary>A list-backed telemetry store.</summary>
    private sealed class ListTelemetryStore : ITelemetryStore
    {
        private readonly ConcurrentQueue<TelemetryReading> _readings = new();

        public IReadOnlyList<TelemetryReading> Readings => [.. _readings];

        public ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default)
        {
            foreach (var reading in readings.Where(r => r.Value is not null))
            {
                _readings.Enqueue(reading);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(Guid deviceId, IReadOnlyCollection<string>? points, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IReadOnlyList<TelemetryReading>>([.. _readings.Where(r => r.DeviceId == deviceId && r.Timestamp >= since && r.Timestamp < until)]);
    }
}
