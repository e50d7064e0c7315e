using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flux.Devices.Discovery;
using Flux.Devices.Health;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Templates;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// A scan of 127.0.0.0/24 x unit ids 1..9 where five simulated devices answer, one host stalls and one answers every
/// unit id with an exception (the scan), with the default timeouts (0.5 s connect, 1 s request) and rate cap.
/// One operation is one whole scan.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ScanBenchmarks
{
    private readonly List<ModbusTcpServer> _servers = [];
    private ServiceProvider _services = null!;
    private IDeviceScanner _scanner = null!;
    private DeviceScanOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var port = Site.FreePort(5);
        Site.Start(_servers, "127.0.0.2", port, s => s.AddUnit(1, new PowerPackBessSimulator()).AddUnit(2, new AcuvimMeterSimulator()));
        Site.Start(_servers, "127.0.0.3", port, s => s.AddUnit(1, new SunSpecSimulator()));
        var stalled = new ModbusUnit();
        stalled.Faults.Stall = true;
        Site.Start(_servers, "127.0.0.4", port, _ => { }, new ModbusTcpServerOptions { AnswerEveryUnitId = stalled });
        var refusing = new ModbusUnit();
        refusing.Faults.ExceptionCode = ModbusExceptionCode.IllegalFunction;
        Site.Start(_servers, "127.0.0.5", port, _ => { }, new ModbusTcpServerOptions { AnswerEveryUnitId = refusing });
        Site.Start(_servers, "127.0.0.6", port, s => s.AddUnit(3, new SunSpecSimulator(SunSpecDeviceKind.Meter)));
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp();
        _services = services.BuildServiceProvider();
        _scanner = _services.GetRequiredService<IDeviceScanner>();
        var loader = _services.GetRequiredService<Templates.DeviceTemplateLoader>();
        _options = new DeviceScanOptions
        {
            Hosts = HostSet.Parse("127.0.0.0/24"),
            Ports = [port],
            Templates = [loader.Load(TestUtilities.SpecSamples.PowerPackTemplateAsPrinted)],
        };
    }

    [GlobalCleanup]
    public void Cleanup() => Site.Stop(_servers, _services);

    /// <summary>The whole /24 scan; the result is the count of devices found (5).</summary>
    [Benchmark]
    public async Task<int> ScanSlash24()
    {
        var found = 0;
        await foreach (var _ in _scanner.ScanAsync(_options))
        {
            found++;
        }

        return found == 5 ? found : throw new InvalidOperationException($"Found {found} devices, not 5.");
    }
}

/// <summary>
/// One health cycle (<see cref="IDeviceHealthMonitor.CheckAsync"/>) over 1,000 active devices simulated on 100 servers
/// (127.0.0.10 to 127.0.0.109, 10 unit ids each), through the in-memory store: every device polled once, its sample
/// written. One operation is one whole cycle. Without <see cref="Telemetry"/> the devices have no register map (the poll
/// reads holding register 0); with it each is a simulated PowerPack configured by the spec's template, so that every
/// poll reads its map and decodes its 4 readings (soe, target_power, status, available_blocks), which the in-memory
/// store keeps: 4,000 readings a cycle.
/// </summary>
[MemoryDiagnoser]
public class HealthCycleBenchmarks
{
    private const int Hosts = 100;
    private const int UnitsPerHost = 10;
    private readonly List<ModbusTcpServer> _servers = [];
    private ServiceProvider _services = null!;
    private IDeviceHealthMonitor _monitor = null!;

    /// <summary>Gets or sets whether the devices are PowerPacks configured by the spec's template (telemetry decoded and stored on every poll).</summary>
    [Params(false, true)]
    public bool Telemetry { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var port = Site.FreePort(Hosts, firstHost: 10);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp();
        _services = services.BuildServiceProvider();
        var registry = _services.GetRequiredService<IDeviceRegistry>();
        for (var h = 0; h < Hosts; h++)
        {
            var host = $"127.0.0.{10 + h}";
            Site.Start(_servers, host, port, server =>
            {
                for (var u = 1; u <= UnitsPerHost; u++)
                {
                    if (Telemetry)
                    {
                        server.AddUnit((byte)u, new PowerPackBessSimulator());
                        continue;
                    }

                    var unit = new ModbusUnit();
                    unit.SetRegisters(ModbusTable.HoldingRegisters, 0, [(ushort)u]);
                    server.AddUnit((byte)u, unit);
                }
            });
            for (var u = 1; u <= UnitsPerHost; u++)
            {
                var registration = TestUtilities.SpecSamples.Bess($"B-{h:000}-{u:00}", modbusAddress: u);
                var device = registry.RegisterAsync(registration with
                {
                    Metadata = registration.Metadata.With("ip_address", host).With("port", (long)port),
                }).AsTask().GetAwaiter().GetResult();
                if (!Telemetry)
                {
                    registry.FireAsync(device.Id, DeviceTrigger.DeployConfig).AsTask().GetAwaiter().GetResult();
                }
            }
        }

        if (Telemetry)
        {
            var templates = _services.GetRequiredService<IDeviceTemplateService>();
            var template = _services.GetRequiredService<DeviceTemplateLoader>().Load(TestUtilities.SpecSamples.PowerPackTemplateAsPrinted);
            var plan = templates.PlanAsync(template, DeviceFilter.Parse("type=bess")).AsTask().GetAwaiter().GetResult();
            var applied = templates.CommitAsync(plan).AsTask().GetAwaiter().GetResult();
            if (applied.Applied != Hosts * UnitsPerHost)
            {
                throw new InvalidOperationException($"The template configured {applied.Applied} devices, not {Hosts * UnitsPerHost}.");
            }
        }

        _monitor = _services.GetRequiredService<IDeviceHealthMonitor>();
        var first = _monitor.CheckAsync().AsTask().GetAwaiter().GetResult(); // Configured -> Testing -> Active, connections open
        if (first.Count != Hosts * UnitsPerHost || first.Any(s => s.Status != DeviceHealthStatus.Online))
        {
            throw new InvalidOperationException("The fleet did not come up online.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Site.Stop(_servers, _services);

    /// <summary>One cycle over the 1,000 devices; the result is the count of online samples (1,000).</summary>
    [Benchmark]
    public async Task<int> CheckThousandDevices()
    {
        var samples = await _monitor.CheckAsync();
        return samples.Count(s => s.Status != DeviceHealthStatus.Offline);
    }
}

/// <summary>Simulated sites on 127.0.0.x, one port for all their addresses.</summary>
internal static class Site
{
    /// <summary>A port below the ephemeral range that is free on 127.0.0.firstHost and the <paramref name="hosts"/> - 1 addresses after it.</summary>
    public static int FreePort(int hosts, int firstHost = 2)
    {
        for (var port = 21_000; port < 30_000; port += 7)
        {
            var free = true;
            for (var h = firstHost; h < firstHost + hosts && free; h++)
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    probe.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{h}"), port));
                }
                catch (SocketException)
                {
                    free = false;
                }
            }

            if (free)
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free port.");
    }

    public static void Start(List<ModbusTcpServer> servers, string address, int port, Action<ModbusTcpServer> units, ModbusTcpServerOptions? options = null)
    {
        var server = new ModbusTcpServer(options);
        units(server);
        server.StartAsync(new IPEndPoint(IPAddress.Parse(address), port)).GetAwaiter().GetResult();
        servers.Add(server);
    }

    public static void Stop(List<ModbusTcpServer> servers, ServiceProvider services)
    {
        services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var server in servers)
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
