using System.Globalization;
using Flux.Devices.Discovery;
using Flux.Devices.Control;
using Flux.Devices.Health;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// The registry's whole story in one process, on the embedded SQLite store: a simulated site on 127.0.0.x, a scan that
/// finds and registers its devices, the spec's template applied (dry run, then commit), health polls that bring the
/// devices to Active, a BESS's readings, a setpoint written and confirmed, a scheduled maintenance window that
/// disables control and telemetry and ends by itself (on the demo's own clock), a decommission with its archive, and
/// the registry and a device's history.
/// </summary>
internal static class Demo
{
    public static async Task<int> RunAsync(CliConsole console, CancellationToken cancellationToken)
    {
        var output = console.Output;
        var tables = new CliOutput(console, OutputFormat.Table);
        var shipped = Path.Combine(AppContext.BaseDirectory, "templates");
        var database = Path.Combine(Path.GetTempPath(), $"flux-demo-{Guid.NewGuid():N}.db");
        List<string> files = [database, database + "-wal", database + "-shm"];
        try
        {
            await using var site = await SimulatedSite.StartOnFreePortAsync("WLCE", cancellationToken);
            var port = site.Endpoints[0].Port;
            output.WriteLine($"Simulated site WLCE on port {port}: 127.0.0.2 (gateway: PowerPack BESS at units 1 and 3, Acuvim II meter at unit 2), 127.0.0.3 (SunSpec battery at unit 1, SunSpec three-phase meter at unit 4)");

            var services = new ServiceCollection();
            var clock = new DemoClock();
            services.AddSingleton<TimeProvider>(clock);
            services.AddFluxDevices().UseSqlite(database).UseModbusTcp().AddNotifier(new FluxCli.StatusNotifier(output));
            await using var provider = services.BuildServiceProvider();
            var registry = provider.GetRequiredService<IDeviceRegistry>();
            var loader = provider.GetRequiredService<DeviceTemplateLoader>();
            var templates = new[]
            {
                await loader.LoadFileAsync(Path.Combine(shipped, "powerpack_bess.yaml"), cancellationToken),
                await loader.LoadFileAsync(Path.Combine(shipped, "acuvim2_meter.yaml"), cancellationToken),
            };
            var defaults = DeviceMetadata.Parse(await File.ReadAllTextAsync(Path.Combine(shipped, "site_defaults.json"), cancellationToken))
                .ToDictionary(d => d.Key, d => DeviceMetadata.FromElement(d.Value));
            output.WriteLine($"Registry: SQLite file {database}");

            output.WriteLine();
            output.WriteLine($"flux devices scan 127.0.0.0/24 --ports {port} --site WLCE --register   (unit ids 1..9; nameplate data from templates/site_defaults.json)");
            var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.0/24"), Ports = [port], Templates = templates };
            var discovery = provider.GetRequiredService<IDeviceDiscoveryService>();
            await foreach (var result in discovery.DiscoverAsync(scan, new AutoRegistrationOptions { Site = "WLCE", Defaults = defaults, Actor = "demo" }, cancellationToken: cancellationToken))
            {
                var identity = result.Discovered.Identity;
                output.WriteLine($"  {result.Discovered.Endpoint} unit {result.Discovered.UnitId}: {identity?.DeviceType ?? "unknown"} {identity?.Manufacturer} {identity?.Model} (by {identity?.Probe ?? "no probe"}) -> {result.Outcome} {result.Name}");
            }

            output.WriteLine();
            output.WriteLine("flux devices apply-template --template templates/powerpack_bess.yaml --filter \"type=bess,site=WLCE\"   (dry run)");
            var service = provider.GetRequiredService<IDeviceTemplateService>();
            var plan = await service.PlanAsync(templates[0], DeviceFilter.Parse("type=bess,site=WLCE"), cancellationToken);
            await tables.WriteAsync(Views.Plan(plan));
            output.WriteLine(Views.PlanSummary(plan));
            output.WriteLine("... --commit");
            var committed = await service.CommitAsync(plan, "demo", cancellationToken);
            output.WriteLine($"  {committed.Applied} device(s) configured, {committed.Conflicts} conflict(s)");
            var meters = await service.CommitAsync(await service.PlanAsync(templates[1], DeviceFilter.Parse("type=meter,site=WLCE"), cancellationToken), "demo", cancellationToken);
            output.WriteLine($"  templates/acuvim2_meter.yaml: {meters.Applied} meter(s) configured");

            output.WriteLine();
            output.WriteLine("flux devices health   (first polls: Configured -> Testing -> Active)");
            var monitor = provider.GetRequiredService<IDeviceHealthMonitor>();
            await tables.WriteAsync(Views.Health(HealthCommand.Polled(monitor, await monitor.CheckAsync(cancellationToken: cancellationToken))));

            var bess = (await registry.GetByNameAsync("WLCE-BESS-1", cancellationToken))!;
            output.WriteLine();
            output.WriteLine($"flux devices read {bess.Name}   (one poll; telemetry is on while the device is Active)");
            await monitor.CheckAsync(DeviceFilter.Parse($"name={bess.Name}"), cancellationToken);
            var telemetry = provider.GetRequiredService<IDeviceTelemetry>();
            await tables.WriteAsync(Views.Readings(telemetry.GetLatest(bess.Id)));

            output.WriteLine();
            output.WriteLine($"flux devices write {bess.Name} target_power=50 --reason \"Evening peak\" --commit");
            var control = provider.GetRequiredService<IDeviceControl>();
            var written = await control.WriteAsync(bess.Id, "target_power", 50, "demo", "Evening peak", cancellationToken);
            await WriteCommand.Print(tables, written.Plan, written.IsConfirmed ? "confirmed" : "unknown", written.ReadBack);
            output.WriteLine(written.IsConfirmed ? $"  {bess.Name}: target_power = 50 kW, confirmed by reading it back." : $"  {bess.Name}: the outcome is unknown ({written.Detail}).");
            await monitor.CheckAsync(DeviceFilter.Parse($"name={bess.Name}"), cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  next poll: target_power {telemetry.GetLatest(bess.Id).Single(r => r.Point == "target_power").Value} kW"));

            // The window runs on the demo's own clock, which jumps forward instead of waiting a minute and two hours.
            output.WriteLine();
            var start = clock.GetUtcNow() + TimeSpan.FromMinutes(1);
            output.WriteLine($"flux devices maintenance schedule {bess.Name} --at 1m --duration 2h --reason \"Firmware upgrade\"");
            var scheduler = provider.GetRequiredService<IMaintenanceScheduler>();
            var window = await scheduler.ScheduleAsync(bess.Id, start, TimeSpan.FromHours(2), "Firmware upgrade", "demo", cancellationToken);
            await tables.WriteAsync(MaintenanceScheduleCommands.Windows([window], _ => bess.Name));
            output.WriteLine("(demo clock +1 min) flux devices maintenance run");
            clock.Advance(TimeSpan.FromMinutes(1));
            var moved = await scheduler.RunDueAsync(cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {moved} window(s) moved"));
            output.WriteLine($"flux devices write {bess.Name} target_power=20 --reason \"Evening peak\" --commit");
            try
            {
                await control.WriteAsync(bess.Id, "target_power", 20, "demo", "Evening peak", cancellationToken);
                output.WriteLine("  written (unexpected: control is disabled in maintenance)");
            }
            catch (DeviceControlDisabledException ex)
            {
                output.WriteLine($"  refused: {ex.Message}");
            }

            var readingsBefore = (await provider.GetRequiredService<IDeviceStore>().GetTelemetryAsync(bess.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, cancellationToken)).Count;
            var polled = await monitor.CheckAsync(cancellationToken: cancellationToken);
            var readingsAfter = (await provider.GetRequiredService<IDeviceStore>().GetTelemetryAsync(bess.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, cancellationToken)).Count;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  polled {polled.Count} device(s); {bess.Name} in maintenance was not contacted: {polled.All(s => s.DeviceId != bess.Id)}; new stored readings: {readingsAfter - readingsBefore}"));
            output.WriteLine("(demo clock +2 h) flux devices maintenance run");
            clock.Advance(TimeSpan.FromHours(2));
            moved = await scheduler.RunDueAsync(cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {moved} window(s) moved"));
            await tables.WriteAsync(MaintenanceScheduleCommands.Windows(await scheduler.ListAsync(bess.Id, cancellationToken: cancellationToken), _ => bess.Name));
            output.WriteLine($"flux devices health --filter name={bess.Name}   (Testing -> Active)");
            await tables.WriteAsync(Views.Health(HealthCommand.Polled(monitor, await monitor.CheckAsync(DeviceFilter.Parse($"name={bess.Name}"), cancellationToken))));

            output.WriteLine();
            output.WriteLine($"flux devices history {bess.Name}");
            await tables.WriteAsync(Views.History(await registry.GetHistoryAsync(bess.Id, cancellationToken)));

            var retired = (await registry.GetByNameAsync("WLCE-BESS-3", cancellationToken))!;
            await monitor.CheckAsync(DeviceFilter.Parse($"name={retired.Name}"), cancellationToken); // one more poll: readings to archive
            output.WriteLine();
            output.WriteLine($"flux devices decommission {retired.Name} --reason \"End of life\"   (its health and telemetry move to the archive tables)");
            await registry.DecommissionAsync(retired.Id, "End of life", "demo", cancellationToken);
            var archive = Path.Combine(Path.GetTempPath(), $"flux-demo-{Guid.NewGuid():N}.jsonl");
            files.Add(archive);
            output.WriteLine($"flux devices archive {retired.Name} --output {archive}");
            var archived = await FluxCli.RunAsync(["devices", "archive", retired.Name, "--output", archive, "--store", database], console with { Error = output }, cancellationToken);
            if (archived != FluxCli.Ok)
            {
                return archived;
            }

            output.WriteLine();
            output.WriteLine("flux devices list");
            await tables.WriteAsync(Views.Devices(await registry.ListAsync(cancellationToken: cancellationToken)));
            return FluxCli.Ok;
        }
        finally
        {
            // The provider, disposed on the way out (also when the story failed half-way), has released the file.
            foreach (var file in files)
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>The system clock, moved forward by the demo so that a maintenance window starts and ends in seconds; timers stay real.</summary>
    private sealed class DemoClock : TimeProvider
    {
        private long _offsetTicks;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
