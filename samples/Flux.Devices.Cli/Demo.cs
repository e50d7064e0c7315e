using System.Globalization;
using Flux.Devices.Groups;
using Flux.Devices.Lifecycle;
using Flux.Devices.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>Registers the spec's two devices, groups them, and walks the BESS through its whole lifecycle.</summary>
internal static class Demo
{
    private const string BessMetadata = """
        {"manufacturer": "PowerPack", "model": "PP-500", "capacity_kwh": 500, "max_power_kw": 100,
         "efficiency": 0.92, "modbus_address": 1, "firmware_version": "2.1.3"}
        """;

    private const string MeterMetadata = """
        {"manufacturer": "Accuenergy", "model": "Acuvim-II", "meter_type": "grid", "phases": 3,
         "ct_ratio": 100, "vt_ratio": 1, "modbus_address": 2, "register_map": "acuvim2_standard"}
        """;

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().AddNotifier(new ConsoleNotifier(output));
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var groups = provider.GetRequiredService<IDeviceGroupService>();
        var maintenance = provider.GetRequiredService<Flux.Devices.Maintenance.IMaintenanceService>();

        output.WriteLine("Registering the spec's example devices");
        var bess = await registry.RegisterAsync(
            new NewDevice
            {
                Id = Guid.Parse("11111111-1111-1111-1111-111111111111"),
                Name = "WLCE-BESS-01",
                Type = DeviceTypes.Bess,
                Site = "WLCE",
                Metadata = DeviceMetadata.Parse(BessMetadata),
            },
            actor: "demo",
            cancellationToken);
        var meter = await registry.RegisterAsync(
            new NewDevice
            {
                Id = Guid.Parse("22222222-2222-2222-2222-222222222222"),
                Name = "WLCE-GRID-METER",
                Type = DeviceTypes.Meter,
                Site = "WLCE",
                Metadata = DeviceMetadata.Parse(MeterMetadata),
            },
            actor: "demo",
            cancellationToken);
        PrintDevices(output, await registry.ListAsync(cancellationToken: cancellationToken));

        output.WriteLine();
        output.WriteLine("Rejecting a bad registration (every failing field at once)");
        try
        {
            await registry.RegisterAsync(
                new NewDevice
                {
                    Name = "WLCE-BESS-01",
                    Type = DeviceTypes.Bess,
                    Site = "WLCE",
                    Metadata = DeviceMetadata.Parse("""{"manufacturer":"PowerPack","model":"PP-500","capacity_kwh":-1,"max_power_kw":100,"efficiency":1.2,"modbus_address":300}"""),
                },
                cancellationToken: cancellationToken);
        }
        catch (DeviceValidationException ex)
        {
            foreach (var error in ex.Errors)
            {
                output.WriteLine($"  {error.Field}: {error.Message}");
            }
        }

        output.WriteLine();
        output.WriteLine("Grouping");
        var fleet = await groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control }, cancellationToken);
        var settlement = await groups.CreateAsync(new NewDeviceGroup { Name = "Settlement-Meters", Site = DeviceGroup.AllSites, GroupType = DeviceGroupType.Monitoring }, cancellationToken);
        await groups.AddMemberAsync(fleet.Id, bess.Id, GroupMemberRole.Primary, 1, cancellationToken);
        await groups.AddMemberAsync(settlement.Id, meter.Id, GroupMemberRole.Monitor, 1, cancellationToken);
        foreach (var group in await groups.ListAsync(cancellationToken))
        {
            var members = await groups.ListMembersAsync(group.Id, cancellationToken);
            output.WriteLine($"  {group.Name,-20} {group.GroupType,-10} site {group.Site,-4} members: {members.Count}");
        }

        output.WriteLine();
        output.WriteLine($"Walking {bess.Name} through its lifecycle");
        await registry.FireAsync(bess.Id, DeviceTrigger.DeployConfig, reason: "powerpack_bess.yaml", actor: "demo", cancellationToken: cancellationToken);
        await registry.FireAsync(bess.Id, DeviceTrigger.PollAttempted, actor: "poller", cancellationToken: cancellationToken);
        await registry.FireAsync(bess.Id, DeviceTrigger.PollSucceeded, actor: "poller", cancellationToken: cancellationToken);
        await maintenance.EnterAsync(bess.Id, "Firmware upgrade", TimeSpan.FromHours(2), actor: "demo", cancellationToken);
        var inMaintenance = (await registry.GetAsync(bess.Id, cancellationToken))!;
        output.WriteLine($"  in maintenance: active={inMaintenance.Active}, polled={inMaintenance.ShouldPoll}, metadata.maintenance={inMaintenance.Metadata["maintenance"]}");
        await maintenance.ExitAsync(bess.Id, actor: "demo", cancellationToken);
        await registry.FireAsync(bess.Id, DeviceTrigger.PollSucceeded, actor: "poller", cancellationToken: cancellationToken);

        output.WriteLine();
        output.WriteLine($"History of {bess.Name}");
        foreach (var entry in await registry.GetHistoryAsync(bess.Id, cancellationToken))
        {
            var move = entry.FromState is { } from && from != entry.ToState ? $"{from} -> {entry.ToState}" : $"{entry.ToState}";
            output.WriteLine($"  v{entry.Version,-2} {entry.Kind,-12} {move,-26} {entry.Trigger?.ToString() ?? "",-16} {entry.Actor,-7} {entry.Reason}");
        }

        output.WriteLine();
        output.WriteLine("Registry");
        PrintDevices(output, await registry.ListAsync(cancellationToken: cancellationToken));
        return 0;
    }

    private static void PrintDevices(TextWriter output, IReadOnlyList<Device> devices)
    {
        output.WriteLine($"  {"NAME",-16} {"TYPE",-6} {"SITE",-5} {"STATE",-11} {"ACTIVE",-6} VERSION");
        foreach (var d in devices)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {d.Name,-16} {d.Type,-6} {d.Site,-5} {d.State,-11} {d.Active,-6} {d.Version}"));
        }
    }

    private sealed class ConsoleNotifier(TextWriter output) : INotifier
    {
        public ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default)
        {
            output.WriteLine($"  [notify {notification.Severity}] {notification.Message}");
            return ValueTask.CompletedTask;
        }
    }
}
