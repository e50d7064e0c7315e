using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Flux.Devices.Discovery;
using Flux.Devices.Health;
using Flux.Devices.Maintenance;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Notifications;
using Flux.Devices.Sqlite;
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
    private const string AcuvimTemplate = """
        device_template:
          type: meter
          manufacturer: Accuenergy
          register_map: acuvim2_standard
          default_config:
            polling_interval: 30s
            timeout: 2s
            retry_count: 2
        """;

    private static readonly Dictionary<string, DeviceMetadata> Defaults = new()
    {
        // What no probe can learn: the nameplate data the registry requires for each type.
        ["bess"] = DeviceMetadata.Parse("""{"manufacturer": "unknown", "model": "unknown", "capacity_kwh": 500, "max_power_kw": 100, "efficiency": 0.92}"""),
        ["meter"] = DeviceMetadata.Parse("""{"manufacturer": "unknown", "model": "unknown", "meter_type": "grid", "phases": 3, "ct_ratio": 100, "vt_ratio": 1, "register_map": "acuvim2_standard"}"""),
    };

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var database = Path.Combine(Path.GetTempPath(), $"flux-demo-{Guid.NewGuid():N}.db");
        var site = new List<ModbusTcpServer>();
        try
        {
            var port = await StartSiteAsync(site, cancellationToken);
            output.WriteLine($"Simulated site WLCE on port {port}: 127.0.0.2 (gateway: PowerPack BESS at units 1 and 3, Acuvim II meter at unit 2), 127.0.0.3 (SunSpec battery at unit 1)");

            var services = new ServiceCollection();
            services.AddFluxDevices().UseSqlite(database).UseModbusTcp().AddNotifier(new ConsoleNotifier(output));
            await using var provider = services.BuildServiceProvider();
            var registry = provider.GetRequiredService<IDeviceRegistry>();
            var loader = provider.GetRequiredService<DeviceTemplateLoader>();
            var templates = new[]
            {
                await loader.LoadFileAsync(Path.Combine(AppContext.BaseDirectory, "templates", "powerpack_bess.yaml"), cancellationToken),
                loader.Load(AcuvimTemplate, "acuvim2_meter.yaml"),
            };
            output.WriteLine($"Registry: SQLite file {database}");

            output.WriteLine();
            output.WriteLine($"Scanning 127.0.0.0/24, port {port}, unit ids 1..9, and registering what answers");
            var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.0/24"), Ports = [port], Templates = templates };
            var discovery = provider.GetRequiredService<IDeviceDiscoveryService>();
            await foreach (var result in discovery.DiscoverAsync(scan, new AutoRegistrationOptions { Site = "WLCE", Defaults = Defaults, Actor = "demo" }, cancellationToken: cancellationToken))
            {
                var identity = result.Discovered.Identity;
                output.WriteLine($"  {result.Discovered.Endpoint} unit {result.Discovered.UnitId}: {identity?.DeviceType ?? "unknown"} {identity?.Manufacturer} {identity?.Model} (by {identity?.Probe ?? "no probe"}) -> {result.Outcome} {result.Name}");
            }

            output.WriteLine();
            output.WriteLine("flux devices apply-template --template powerpack_bess.yaml --filter \"type=bess,site=WLCE\"   (dry run)");
            var service = provider.GetRequiredService<IDeviceTemplateService>();
            var plan = await service.PlanAsync(templates[0], DeviceFilter.Parse("type=bess,site=WLCE"), cancellationToken);
            output.WriteLine(Indent(plan.ToTable()));
            output.WriteLine("... --commit");
            var committed = await service.CommitAsync(plan, "demo", cancellationToken);
            output.WriteLine($"  {committed.Applied} device(s) configured, {committed.Conflicts} conflict(s)");
            var meters = await service.CommitAsync(await service.PlanAsync(templates[1], DeviceFilter.Parse("type=meter,site=WLCE"), cancellationToken), "demo", cancellationToken);
            output.WriteLine($"  acuvim2_meter.yaml: {meters.Applied} meter(s) configured");

            output.WriteLine();
            output.WriteLine("Health: first polls (Configured -> Testing -> Active)");
            var monitor = provider.GetRequiredService<IDeviceHealthMonitor>();
            var first = await monitor.CheckAsync(cancellationToken: cancellationToken);
            PrintSamples(output, await registry.ListAsync(cancellationToken: cancellationToken), first);

            var bess = (await registry.GetByNameAsync("WLCE-BESS-1", cancellationToken))!;
            output.WriteLine();
            output.WriteLine($"Maintenance on {bess.Name}");
            var maintenance = provider.GetRequiredService<IMaintenanceService>();
            await maintenance.EnterAsync(bess.Id, "Firmware upgrade", TimeSpan.FromHours(2), "demo", cancellationToken);
            var polled = await monitor.CheckAsync(cancellationToken: cancellationToken);
            output.WriteLine($"  polled {polled.Count} device(s); {bess.Name} in maintenance was not contacted: {polled.All(s => s.DeviceId != bess.Id)}");
            await maintenance.ExitAsync(bess.Id, "demo", cancellationToken);
            var back = await monitor.CheckAsync(DeviceFilter.Parse($"name={bess.Name}"), cancellationToken);
            PrintSamples(output, await registry.ListAsync(cancellationToken: cancellationToken), back);

            output.WriteLine();
            output.WriteLine($"History of {bess.Name}");
            await Tables.WriteHistoryAsync(output, await registry.GetHistoryAsync(bess.Id, cancellationToken), "  ");

            output.WriteLine();
            output.WriteLine("Registry");
            await Tables.WriteDevicesAsync(output, await registry.ListAsync(cancellationToken: cancellationToken), "  ");
            ((SqliteDeviceStore)provider.GetRequiredService<Storage.IDeviceStore>()).ReleaseFile();
            return 0;
        }
        finally
        {
            foreach (var server in site)
            {
                await server.DisposeAsync();
            }

            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Starts the simulated site on one port free on 127.0.0.2 and 127.0.0.3 (below the ephemeral range).</summary>
    private static async Task<int> StartSiteAsync(List<ModbusTcpServer> servers, CancellationToken cancellationToken)
    {
        for (var port = 21_502; port < 30_000; port += 1_000)
        {
            var gateway = new ModbusTcpServer();
            gateway.AddUnit(1, new PowerPackBessSimulator()).AddUnit(2, new AcuvimMeterSimulator()).AddUnit(3, new PowerPackBessSimulator(capacityKwh: 250));
            var sunspec = new ModbusTcpServer();
            sunspec.AddUnit(1, new SunSpecSimulator());
            try
            {
                await gateway.StartAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), cancellationToken);
                servers.Add(gateway);
                await sunspec.StartAsync(new IPEndPoint(IPAddress.Parse("127.0.0.3"), port), cancellationToken);
                servers.Add(sunspec);
                return port;
            }
            catch (SocketException)
            {
                foreach (var server in servers.Append(gateway).Append(sunspec).Distinct())
                {
                    await server.DisposeAsync();
                }

                servers.Clear();
            }
        }

        throw new InvalidOperationException("No free port for the simulated site.");
    }

    private static void PrintSamples(TextWriter output, IReadOnlyList<Device> devices, IReadOnlyList<DeviceHealthSample> samples)
    {
        var names = devices.ToDictionary(d => d.Id);
        foreach (var sample in samples)
        {
            var device = names[sample.DeviceId];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {device.Name,-28} {sample.Status,-8} {sample.ResponseTimeMs,4} ms  errors {sample.ErrorCount}  now {device.State}"));
        }
    }

    private static string Indent(string text) => "  " + text.TrimEnd().Replace("\n", "\n  ", StringComparison.Ordinal);

    private sealed class ConsoleNotifier(TextWriter output) : INotifier
    {
        public ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default)
        {
            output.WriteLine($"  [notify {notification.Severity}] {notification.Message}");
            return ValueTask.CompletedTask;
        }
    }
}
