using System.Net;
using System.Net.Sockets;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;

namespace Flux.Devices.Cli;

/// <summary>
/// A simulated fleet, as <c>flux simulate --fleet N --ports P</c> runs it: N PowerPack BESS on 127.0.0.2, served by P
/// Modbus gateways (one per port), each with up to 247 unit ids: devices 1..N go to the ports in turn as blocks of
/// <see cref="UnitsPerPort"/> (device i is on port <c>i / UnitsPerPort</c>, unit <c>i % UnitsPerPort + 1</c>, counting
/// from 0).
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    /// <summary>The host the fleet answers on.</summary>
    public const string Host = "127.0.0.2";

    /// <summary>The most unit ids one gateway serves (Modbus's 1 to 247).</summary>
    public const int MaxUnitsPerPort = 247;

    private readonly List<ModbusTcpServer> _servers = [];
    private readonly List<int> _ports = [];

    private SimulatedFleet(string site, int size, int unitsPerPort)
    {
        Site = site;
        Size = size;
        UnitsPerPort = unitsPerPort;
    }

    /// <summary>Gets the site its devices are registered at.</summary>
    public string Site { get; }

    /// <summary>Gets how many devices it has.</summary>
    public int Size { get; }

    /// <summary>Gets how many unit ids each port serves (the last may serve fewer).</summary>
    public int UnitsPerPort { get; }

    /// <summary>Gets the ports, in order.</summary>
    public IReadOnlyList<int> Ports => _ports;

    /// <summary>Gets the servers, one per port.</summary>
    public IReadOnlyList<ModbusTcpServer> Servers => _servers;

    /// <summary>The unit ids a fleet of <paramref name="size"/> devices on <paramref name="ports"/> ports puts on each.</summary>
    public static int UnitsFor(int size, int ports) => (size + ports - 1) / ports;

    /// <summary>
    /// Starts the fleet: <paramref name="ports"/> gateways on consecutive ports from <paramref name="firstPort"/> (or, with 0,
    /// ports the system chooses), each serving its devices.
    /// </summary>
    /// <param name="site">The site its devices are registered at.</param>
    /// <param name="size">How many devices.</param>
    /// <param name="ports">How many ports.</param>
    /// <param name="firstPort">The first port; 0 lets the system choose each.</param>
    /// <param name="recorder">Records every request, when given.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <exception cref="SocketException">A port is taken (or needs privileges).</exception>
    public static async Task<SimulatedFleet> StartAsync(string site, int size, int ports, int firstPort, RequestRecorder? recorder, CancellationToken cancellationToken)
    {
        var fleet = new SimulatedFleet(site, size, UnitsFor(size, ports));
        try
        {
            for (var p = 0; p < ports; p++)
            {
                // Several monitors each keep a connection or a few per gateway: well above the default 64.
                var server = new ModbusTcpServer(new ModbusTcpServerOptions { MaxConnections = 1_024 });
                for (var unit = 1; unit <= fleet.UnitsPerPort && p * fleet.UnitsPerPort + unit <= size; unit++)
                {
                    server.AddUnit((byte)unit, new PowerPackBessSimulator());
                }

                fleet._servers.Add(server);
                await server.StartAsync(new IPEndPoint(IPAddress.Parse(Host), firstPort == 0 ? 0 : firstPort + p), cancellationToken);
                fleet._ports.Add(server.LocalEndPoint.Port);
                recorder?.Attach(server);
            }

            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gets where device <paramref name="index"/> (from 0) answers.</summary>
    public (int Port, byte UnitId) Address(int index) => (_ports[index / UnitsPerPort], (byte)((index % UnitsPerPort) + 1));

    /// <summary>Gets the registry's name of device <paramref name="index"/> (from 0): <c>WLCE-BESS-00001</c>.</summary>
    public string Name(int index) => $"{Site}-BESS-{index + 1:D5}";

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
