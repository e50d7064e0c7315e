using System.Net;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Cli.Tests;

/// <summary>A <see cref="FluxTestBed"/> with a simulated PowerPack (500 kWh, half full) at unit 1 on 127.0.0.1, the spec's template and nameplate defaults.</summary>
public abstract class PowerPackTestBed : FluxTestBed
{
    private protected ModbusTcpServer Server { get; } = new();

    private protected string Template => Path.Combine(Directory, "powerpack_bess.yaml");

    private protected string Defaults => Path.Combine(Directory, "defaults.json");

    public override async ValueTask InitializeAsync()
    {
        Server.AddUnit(1, new PowerPackBessSimulator(capacityKwh: 500, initialSoe: 0.5));
        await Server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
        await File.WriteAllTextAsync(Template, SpecSamples.PowerPackTemplateAsPrinted, Cancel);
        await File.WriteAllTextAsync(Defaults, """{"bess": {"capacity_kwh": 500, "max_power_kw": 100, "efficiency": 0.92}}""", Cancel);
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        await Server.DisposeAsync();
        await base.DisposeCoreAsync();
    }
}
