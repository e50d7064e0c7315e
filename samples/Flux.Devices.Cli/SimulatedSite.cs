using System.Net;
using System.Net.Sockets;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;

namespace Flux.Devices.Cli;

/// <summary>
/// A simulated microgrid site on loopback, as <c>flux simulate</c> and <c>flux demo</c> run it: on 127.0.0.2 a Modbus
/// gateway with two PowerPack BESS (units 1 and 3) and an Acuvim II meter (unit 2); on 127.0.0.3 a SunSpec battery
/// (unit 1) and a SunSpec three-phase meter (unit 4: a unit id of its own, so that a scan of both hosts names it
/// WLCE-METER-4 whichever host answers first). Every address is this machine (127.0.0.0/8), so nothing leaves it.
/// </summary>
internal sealed class SimulatedSite : IAsyncDisposable
{
    /// <summary>The first port <see cref="StartOnFreePortAsync"/> tries: above 1024 (502 needs root), below the ephemeral range.</summary>
    public const int FirstPort = 21_502;

    private readonly List<ModbusTcpServer> _servers = [];

    private SimulatedSite(string name) => Name = name;

    /// <summary>Gets the site's name.</summary>
    public string Name { get; }

    /// <summary>Gets the framing both hosts speak.</summary>
    public Transport.ModbusFraming Framing { get; private init; }

    /// <summary>Gets the servers: the gateway on 127.0.0.2, the SunSpec battery and meter on 127.0.0.3.</summary>
    public IReadOnlyList<ModbusTcpServer> Servers => _servers;

    /// <summary>Gets the simulated devices, with where each one answers.</summary>
    public IReadOnlyList<SimulatedEndpoint> Endpoints { get; private set; } = [];

    /// <summary>
    /// Starts the site with both hosts on <paramref name="port"/>; 0 lets the system choose one per host. With
    /// <see cref="Transport.ModbusFraming.RtuOverTcp"/> both hosts speak RTU frames, as transparent gateways do.
    /// </summary>
    /// <exception cref="SocketException">The port is taken (or needs privileges) on 127.0.0.2 or 127.0.0.3.</exception>
    public static async Task<SimulatedSite> StartAsync(string name, int port, CancellationToken cancellationToken, Transport.ModbusFraming framing = Transport.ModbusFraming.Tcp)
    {
        var site = new SimulatedSite(name) { Framing = framing };
        try
        {
            var gateway = new ModbusTcpServer(new ModbusTcpServerOptions { Framing = framing });
            gateway.AddUnit(1, new PowerPackBessSimulator()).AddUnit(2, new AcuvimMeterSimulator()).AddUnit(3, new PowerPackBessSimulator(capacityKwh: 250));
            site._servers.Add(gateway);
            await gateway.StartAsync(new IPEndPoint(IPAddress.Parse("127.0.0.2"), port), cancellationToken);
            var sunspec = new ModbusTcpServer(new ModbusTcpServerOptions { Framing = framing });
            sunspec.AddUnit(1, new SunSpecSimulator()).AddUnit(4, new SunSpecSimulator(SunSpecDeviceKind.Meter, model: "SIM-METER-1", serialNumber: "SN0002"));
            site._servers.Add(sunspec);
            await sunspec.StartAsync(new IPEndPoint(IPAddress.Parse("127.0.0.3"), port), cancellationToken);
            site.Endpoints =
            [
                new("127.0.0.2", gateway.Endpoint.Port, 1, "bess", "PowerPack BESS, 500 kWh / 100 kW", "vendor registers, FC43 identification"),
                new("127.0.0.2", gateway.Endpoint.Port, 2, "meter", "Accuenergy Acuvim II meter", "vendor registers, FC43 identification"),
                new("127.0.0.2", gateway.Endpoint.Port, 3, "bess", "PowerPack BESS, 250 kWh / 100 kW", "vendor registers, FC43 identification"),
                new("127.0.0.3", sunspec.Endpoint.Port, 1, "bess", "SunSpec battery (models 1 and 802)", "SunSpec at 40000"),
                new("127.0.0.3", sunspec.Endpoint.Port, 4, "meter", "SunSpec three-phase meter (models 1 and 203)", "SunSpec at 40000"),
            ];
            return site;
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the site on the first port free on both hosts from <see cref="FirstPort"/>, a thousand apart.</summary>
    public static async Task<SimulatedSite> StartOnFreePortAsync(string name, CancellationToken cancellationToken)
    {
        for (var port = FirstPort; ; port += 1_000)
        {
            try
            {
                return await StartAsync(name, port, cancellationToken);
            }
            catch (SocketException) when (port + 1_000 < 30_000)
            {
                // Taken: try the next.
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _servers.Clear();
    }
}

/// <summary>One simulated device: where it answers and what it is.</summary>
/// <param name="Host">Its loopback address.</param>
/// <param name="Port">Its TCP port.</param>
/// <param name="UnitId">Its Modbus unit id.</param>
/// <param name="Type">The registry's device type.</param>
/// <param name="Device">What it simulates.</param>
/// <param name="Identification">How a scan recognises it.</param>
internal sealed record SimulatedEndpoint(string Host, int Port, byte UnitId, string Type, string Device, string Identification);
