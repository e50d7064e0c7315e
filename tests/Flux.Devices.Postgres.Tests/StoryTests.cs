using System.Net;
using Flux.Devices.Control;
using Flux.Devices.Health;
using Flux.Devices.Maintenance;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// The story of issue 13 end to end, on a real socket (a simulated PowerPack on a loopback Modbus TCP server) and a
/// real PostgreSQL store: registered, configured by the spec's template, made Active by its health polls, readings in
/// the store with the spec's scaling, a setpoint written and read back by the device, a scheduled maintenance window
/// that disables control and telemetry and ends by itself, and a decommission that archives the rows.
/// The polls, the schedule and the simulator run on one fake clock; the test advances it, nothing sleeps.
/// </summary>
public sealed class StoryTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(60);
    private readonly ContractSchema _schema = new(server);
    private readonly FakeTimeProvider _time = new(T0);
    private PostgresDeviceStore _store = null!;
    private ModbusTcpServer _modbus = null!;
    private ServiceProvider _services = null!;
    private PowerPackBessSimulator _bess = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await _schema.CreateAsync();
        _modbus = new ModbusTcpServer(timeProvider: _time);
        await _modbus.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddFluxDevices()
            .UseStore(_store)
            .UseModbusTcp(o =>
            {
                // The fake clock does not move during a request: the client's deadlines and retries stay out of the way.
                o.RequestTimeout = TimeSpan.FromMinutes(5);
                o.ConnectTimeout = TimeSpan.FromMinutes(5);
                o.RetryCount = 0;
                o.RetryDelay = TimeSpan.Zero;
                o.MaxRetryDelay = TimeSpan.Zero;
            });
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _modbus.DisposeAsync();
        await _schema.DropAsync();
    }

    [Fact]
    public async Task APowerPack_RegisteredConfiguredActive_GivesReadings_TakesASetpoint_GoesThroughScheduledMaintenance_AndIsArchivedOnDecommission()
    {
        var registry = _services.GetRequiredService<IDeviceRegistry>();
        var monitor = _services.GetRequiredService<IDeviceHealthMonitor>();
        var control = _services.GetRequiredService<IDeviceControl>();
        var scheduler = _services.GetRequiredService<IMaintenanceScheduler>();
        _bess = new PowerPackBessSimulator(_time, capacityKwh: 500, maxPowerKw: 100, initialSoe: 0.5);
        _modbus.AddUnit(1, _bess);

        // Registered, and configured by the spec's template file.
        var registration = SpecSamples.Bess("WLCE-BESS-01", modbusAddress: 1);
        registration = registration with { Metadata = registration.Metadata.With("ip_address", "127.0.0.1").With("port", (long)_modbus.Endpoint.Port) };
        var device = await registry.RegisterAsync(registration, cancellationToken: Cancel);
        var templates = _services.GetRequiredService<IDeviceTemplateService>();
        var template = await _services.GetRequiredService<DeviceTemplateLoader>().LoadFileAsync(SpecTemplatePath(), Cancel);
        Assert.Single((await templates.CommitAsync(await templates.PlanAsync(template, DeviceFilter.Parse("name=WLCE-BESS-01"), Cancel), "story", Cancel)).Items);
        Assert.Equal(DeviceState.Configured, await StateAsync());

        // The first health poll makes it Active (Configured -> Testing -> Active); the next one gives readings.
        Assert.Single(await monitor.CheckAsync(cancellationToken: Cancel));
        Assert.Equal(DeviceState.Active, await StateAsync());
        var firstReadingsAt = await PollAsync();
        var stored = await TelemetryAsync();
        Assert.Equal(
            [("available_blocks", 10.0), ("soe", 250.0), ("status", 0.0), ("target_power", 0.0)],
            stored.Select(r => (r.Point, r.Value!.Value)).Order());
        var units = _services.GetRequiredService<IDeviceTelemetry>().GetLatest(device.Id).ToDictionary(r => r.Point, r => r.Unit); // the store's narrow rows keep no unit
        Assert.Equal(("kWh", "kW"), (units["soe"], units["target_power"]));
        Assert.All(stored, r => Assert.Equal((firstReadingsAt, TelemetryQuality.Good), (r.Timestamp, r.Quality)));
        Assert.Equal(250_000u, SoeWh()); // the register holds Wh; the store holds kWh (x 0.001)
        Assert.Equal(4, await CountAsync("device_telemetry"));

        // A setpoint: 50 kW written, confirmed by the read-back, held by the simulator, and in the next readings.
        var write = await control.WriteAsync(device.Id, "target_power", 50, "operator", "story: discharge at 50 kW", Cancel);
        Assert.True(write.IsConfirmed, write.Detail);
        Assert.Equal(50, TargetPowerKw());
        var secondReadingsAt = await PollAsync();
        Assert.Equal(50.0, (await TelemetryAsync()).Single(r => r.Point == "target_power" && r.Timestamp == secondReadingsAt).Value);
        var rowsBeforeMaintenance = await CountAsync("device_telemetry");
        Assert.Equal(8, rowsBeforeMaintenance);

        // A scheduled window: nothing happens before its start; at its start the device enters maintenance.
        var start = _time.GetUtcNow() + TimeSpan.FromMinutes(10);
        var window = await scheduler.ScheduleAsync(device.Id, start, TimeSpan.FromHours(2), "Battery swap", "operator", Cancel);
        Assert.Equal(0, await scheduler.RunDueAsync(Cancel));
        Assert.Equal(DeviceState.Active, await StateAsync());
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));
        Assert.Equal(DeviceState.Maintenance, await StateAsync());

        // In maintenance a write is refused, naming the state, and sends nothing; the polls skip it: no new rows.
        var refused = await Assert.ThrowsAsync<DeviceControlDisabledException>(async () =>
            await control.WriteAsync(device.Id, "target_power", 20, "operator", "story: during maintenance", Cancel));
        Assert.Equal(DeviceState.Maintenance, refused.State);
        Assert.Equal(50, TargetPowerKw());
        for (var poll = 0; poll < 3; poll++)
        {
            _time.Advance(PollInterval);
            Assert.Empty(await monitor.CheckAsync(cancellationToken: Cancel));
        }

        Assert.Equal(rowsBeforeMaintenance, await CountAsync("device_telemetry"));
        Assert.All(_services.GetRequiredService<IDeviceTelemetry>().GetLatest(device.Id), r => Assert.Equal(TelemetryQuality.Stale, r.Quality));

        // The window ends by its schedule: the device goes back through Testing, and its next poll makes it Active.
        _time.Advance(window.End - _time.GetUtcNow());
        Assert.Equal(1, await scheduler.RunDueAsync(Cancel));
        Assert.Equal(DeviceState.Testing, await StateAsync());
        Assert.Equal(MaintenanceWindowStatus.Completed, Assert.Single(await scheduler.ListAsync(device.Id, cancellationToken: Cancel)).Status);
        _time.Advance(PollInterval);
        Assert.Single(await monitor.CheckAsync(cancellationToken: Cancel));
        Assert.Equal(DeviceState.Active, await StateAsync());
        var afterMaintenanceAt = await PollAsync();
        Assert.Equal(4, (await TelemetryAsync()).Count(r => r.Timestamp == afterMaintenanceAt));
        var history = await registry.GetHistoryAsync(device.Id, Cancel);
        Assert.Contains(history, e => (e.FromState, e.ToState, e.Actor) == (DeviceState.Active, DeviceState.Maintenance, "operator"));
        Assert.Contains(history, e => (e.FromState, e.ToState, e.Actor) == (DeviceState.Maintenance, DeviceState.Testing, "operator"));

        // Decommissioned: its health samples and readings leave the hot tables for the archive ones, and the archive
        // API (what `flux devices archive` exports) gives them back.
        var hotTelemetry = await TelemetryAsync();
        var hotHealth = await _store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel);
        Assert.Equal(12, hotTelemetry.Count);
        Assert.NotEmpty(hotHealth);
        await registry.DecommissionAsync(device.Id, "end of life", "operator", Cancel);
        Assert.Equal(DeviceState.Decommissioned, await StateAsync());
        Assert.Equal((0, 0), (await CountAsync("device_telemetry"), await CountAsync("device_health")));
        Assert.Equal((hotTelemetry.Count, hotHealth.Count), (await CountAsync("device_telemetry_archive"), await CountAsync("device_health_archive")));
        Assert.Empty(await TelemetryAsync());
        var archived = await _store.GetArchivedTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel);
        Assert.Equal(
            hotTelemetry.Select(r => (r.Point, r.Timestamp, r.Value)).Order(),
            archived.Select(r => (r.Point, r.Timestamp, r.Value)).Order());
        Assert.Equal(
            hotHealth.Select(s => (s.Timestamp, s.Status)).Order(),
            (await _store.GetArchivedHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Select(s => (s.Timestamp, s.Status)).Order());

        async Task<DeviceState> StateAsync() => (await registry.GetAsync(device.Id, Cancel))!.State;

        // One poll interval later, one poll of the Active device: returns its sample's time.
        async Task<DateTimeOffset> PollAsync()
        {
            _time.Advance(PollInterval);
            var sample = Assert.Single(await monitor.CheckAsync(cancellationToken: Cancel));
            Assert.Equal(DeviceHealthStatus.Online, sample.Status);
            return sample.Timestamp;
        }

        async Task<IReadOnlyList<TelemetryReading>> TelemetryAsync() =>
            await _store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel);

        async Task<long> CountAsync(string table)
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync(Cancel);
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{_store.Schema}\".{table} WHERE device_id = @id", connection);
            command.Parameters.AddWithValue("id", device.Id);
            return (long)(await command.ExecuteScalarAsync(Cancel))!;
        }
    }

    private short TargetPowerKw()
    {
        Span<ushort> register = stackalloc ushort[1];
        Assert.True(_bess.TryGetRegisters(ModbusTable.HoldingRegisters, PowerPackBessSimulator.TargetPowerAddress, register));
        return (short)register[0];
    }

    private uint SoeWh()
    {
        Span<ushort> registers = stackalloc ushort[2];
        Assert.True(_bess.TryGetRegisters(ModbusTable.HoldingRegisters, PowerPackBessSimulator.SoeAddress, registers));
        return ((uint)registers[0] << 16) | registers[1];
    }

    /// <summary>The spec's template file, templates/powerpack_bess.yaml, from the repository.</summary>
    private static string SpecTemplatePath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "templates", "powerpack_bess.yaml");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException("templates/powerpack_bess.yaml not found above " + AppContext.BaseDirectory);
    }
}
