using System.Globalization;
using Flux.Devices.Discovery;
using Flux.Devices.Health;
using Flux.Devices.Maintenance;
using Flux.Devices.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// The registry's whole story in one process, on the embedded SQLite store: a simulated site on 127.0.0.x, a scan that
/// finds and registers its devices, the spec's template applied (dry run, then commit), health polls that bring the
/// devices to Active, a maintenance window, and the registry and a device's history at the end.
/// </summary>
internal static class Demo
{
    public static async Task<int> RunAsync(CliConsole console, CancellationToken cancellationToken)
    {
        var output = console.Output;
        var tables = new CliOutput(console, OutputFormat.Table);
        var shipped = Path.Combine(AppContext.BaseDirectory, "templates");
        var database = Path.Combine(Path.GetTempPath(), $"flux-demo-{Guid.NewGuid():N}.db");
        try
        {
            await using var site = await SimulatedSite.StartOnFreePortAsync("WLCE", cancellationToken);
            var port = site.Endpoints[0].Port;
            output.WriteLine($"Simulated site WLCE on port {port}: 127.0.0.2 (gateway: PowerPack BESS at units 1 and 3, Acuvim II meter at unit 2), 127.0.0.3 (SunSpec battery at unit 1)");

            var services = new ServiceCollection();
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
            output.WriteLine($"flux devices maintenance enter {bess.Name} --reason \"Firmware upgrade\" --duration 2h");
            var maintenance = provider.GetRequiredService<IMaintenanceService>();
            await maintenance.EnterAsync(bess.Id, "Firmware upgrade", TimeSpan.FromHours(2), "demo", cancellationToken);
            var polled = await monitor.CheckAsync(cancellationToken: cancellationToken);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  polled {polled.Count} device(s); {bess.Name} in maintenance was not contacted: {polled.All(s => s.DeviceId != bess.Id)}"));
            output.WriteLine($"flux devices maintenance exit {bess.Name}");
            await maintenance.ExitAsync(bess.Id, "demo", cancellationToken);
            await tables.WriteAsync(Views.Health(HealthCommand.Polled(monitor, await monitor.CheckAsync(DeviceFilter.Parse($"name={bess.Name}"), cancellationToken))));

            output.WriteLine();
            output.WriteLine($"flux devices history {bess.Name}");
            await tables.WriteAsync(Views.History(await registry.GetHistoryAsync(bess.Id, cancellationToken)));

            output.WriteLine();
            output.WriteLine("flux devices list");
            await tables.WriteAsync(Views.Devices(await registry.ListAsync(cancellationToken: cancellationToken)));
            return FluxCli.Ok;
        }
        finally
        {
            // The provider, disposed on the way out (also when the story failed half-way), has released the file.
            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
