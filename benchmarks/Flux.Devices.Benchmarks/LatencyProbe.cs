using System.Diagnostics;
using System.Globalization;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// Latency percentiles and CPU per request beside libmodbus, which BenchmarkDotNet does not give: every request timed
/// with <see cref="Stopwatch"/> into a preallocated array (nothing allocated while measuring), against the libmodbus
/// server of <see cref="LibmodbusComparisonBenchmarks"/> (FC3, 10 registers). Cases: 16 connections each reading in
/// sequence, one connection in sequence, and 16 callers with 16 in flight on one connection, for ours (receive
/// threads), ours on the async socket engine (<c>MaxReceiveThreads = 0</c>), libmodbus (one thread per connection)
/// and the bare .NET loops. Every case makes the same count of requests; the rounds run the cases one after the other,
/// so that background load falls on all of them alike, and the medians over the rounds are printed at the end. The CPU
/// columns (ours from the process, the server's from /proc) do not depend on what else runs on the machine, unlike
/// requests per second on a shared CPU.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project benchmarks/Flux.Devices.Benchmarks -- latency [requests per connection] [rounds]</c>,
/// with the placement of <c>LibmodbusComparisonBenchmarks</c> (<c>FLUX_BENCH_SERVER_CPU</c>, <c>taskset</c>).
/// </remarks>
internal static class LatencyProbe
{
    private const int Connections = 16;

    public static async Task RunAsync(string[] args)
    {
        var perConnection = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        var (server, port) = LibmodbusComparisonBenchmarks.StartServer();
        var endpoint = new ModbusEndpoint("127.0.0.1", port);
        var providers = new List<ServiceProvider>();
        IModbusTransport[] Clients(int receiveThreads, int count = Connections, int inFlight = 1) => [.. Enumerable.Range(0, count).Select(_ =>
        {
            var services = new ServiceCollection();
            services.AddFluxDevices().UseModbusTcp(o =>
            {
                o.MaxReceiveThreads = receiveThreads;
                o.MaxRequestsInFlight = inFlight;
            });
            var provider = services.BuildServiceProvider();
            providers.Add(provider);
            return provider.GetRequiredService<IModbusTransport>();
        })];

        var libmodbus = Enumerable.Range(0, Connections).Select(_ => LibmodbusComparisonBenchmarks.LibmodbusConnect(port)).ToArray();
        var ticks = new long[Connections][];
        for (var c = 0; c < Connections; c++)
        {
            ticks[c] = new long[perConnection];
        }

        using var bareSync = Bare(port);
        using var bareAsync = Bare(port);
        var ours = Clients(64);
        var engine = Clients(0);
        var oursPipelined = Enumerable.Repeat(Clients(64, 1, Connections)[0], Connections).ToArray();
        var enginePipelined = Enumerable.Repeat(Clients(0, 1, Connections)[0], Connections).ToArray();
        var cases = new (string Name, int Connections, Func<Task<TimeSpan>> Run)[]
        {
            ("ours 16 conn", Connections, () => MeasureOursAsync(ours, endpoint, ticks, Connections)),
            ("engine 16 conn", Connections, () => MeasureOursAsync(engine, endpoint, ticks, Connections)),
            ("libmodbus 16 conn", Connections, () => Task.FromResult(MeasureLibmodbus(libmodbus, ticks, Connections))),
            ("ours 1 conn", 1, () => MeasureOursAsync(ours, endpoint, ticks, 1)),
            ("engine 1 conn", 1, () => MeasureOursAsync(engine, endpoint, ticks, 1)),
            ("libmodbus 1 conn", 1, () => Task.FromResult(MeasureLibmodbus(libmodbus, ticks, 1))),
            ("bare sync 1 conn", 1, () => MeasureBareAsync(bareSync, blocking: true, ticks)),
            ("bare async 1 conn", 1, () => Task.Run(() => MeasureBareAsync(bareAsync, blocking: false, ticks))),
            ("ours 16 in flight", Connections, () => MeasureOursAsync(oursPipelined, endpoint, ticks, Connections)),
            ("engine 16 in flight", Connections, () => MeasureOursAsync(enginePipelined, endpoint, ticks, Connections)),
        };
        var results = cases.Select(_ => new List<double[]>()).ToArray();

        try
        {
            Console.WriteLine($"{Connections * perConnection} requests per case, {rounds} rounds; loadavg {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine(Header);
            for (var round = 0; round <= rounds; round++)
            {
                for (var i = 0; i < cases.Length; i++)
                {
                    var (clientCpu, serverCpu) = (Process.GetCurrentProcess().TotalProcessorTime, ServerCpu(server));
                    var elapsed = await cases[i].Run();
                    var requests = (double)Connections * perConnection;
                    var cpu = new[]
                    {
                        (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMicroseconds / requests,
                        (ServerCpu(server) - serverCpu).TotalMicroseconds / requests,
                    };
                    if (round > 0) // the first round warms every path up and is not counted
                    {
                        results[i].Add([.. Summarise(elapsed, ticks), .. cpu]);
                        Console.WriteLine(Line(cases[i].Name, results[i][^1]));
                    }
                }
            }

            Console.WriteLine($"loadavg after {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine($"median over {rounds} rounds of each column:");
            Console.WriteLine(Header);
            for (var i = 0; i < cases.Length; i++)
            {
                var median = Enumerable.Range(0, 8).Select(c => results[i].Select(r => r[c]).Order().ElementAt(results[i].Count / 2)).ToArray();
                Console.WriteLine(Line(cases[i].Name, median));
            }
        }
        finally
        {
            providers.ForEach(p => p.Dispose());
            foreach (var context in libmodbus)
            {
                LibmodbusComparisonBenchmarks.NativeMethods.modbus_close(context);
                LibmodbusComparisonBenchmarks.NativeMethods.modbus_free(context);
            }

            server.StandardInput.Close();
            server.WaitForExit(5000);
            server.Dispose();
        }
    }

    private static async Task<TimeSpan> MeasureOursAsync(IModbusTransport[] clients, ModbusEndpoint endpoint, long[][] ticks, int connections)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            var buffer = new ushort[LibmodbusComparisonBenchmarks.Count];
            for (var a = c; a < ticks.Length; a += connections)
            {
                var times = ticks[a];
                for (var i = 0; i < times.Length; i++)
                {
                    var before = Stopwatch.GetTimestamp();
                    await clients[c].ReadHoldingRegistersAsync(endpoint, 1, LibmodbusComparisonBenchmarks.Address, buffer);
                    times[i] = Stopwatch.GetTimestamp() - before;
                }
            }

            LibmodbusComparisonBenchmarks.Check(buffer);
        })));
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>The floor: a bare .NET loop on one socket (a hand-made frame, no Modbus library), blocking or async.</summary>
    private static async Task<TimeSpan> MeasureBareAsync(System.Net.Sockets.Socket socket, bool blocking, long[][] ticks)
    {
        var request = new byte[] { 0, 1, 0, 0, 0, 6, 1, 3, 0, (byte)LibmodbusComparisonBenchmarks.Address, 0, (byte)LibmodbusComparisonBenchmarks.Count };
        var reply = new byte[260];
        var started = Stopwatch.GetTimestamp();
        foreach (var times in ticks)
        {
            for (var i = 0; i < times.Length; i++)
            {
                var before = Stopwatch.GetTimestamp();
                if (blocking)
                {
                    socket.Send(request);
                    for (var got = 0; got < 29;)
                    {
                        got += socket.Receive(reply.AsSpan(got));
                    }
                }
                else
                {
                    await socket.SendAsync(request.AsMemory(), System.Net.Sockets.SocketFlags.None);
                    for (var got = 0; got < 29;)
                    {
                        got += await socket.ReceiveAsync(reply.AsMemory(got), System.Net.Sockets.SocketFlags.None);
                    }
                }

                times[i] = Stopwatch.GetTimestamp() - before;
            }
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static TimeSpan MeasureLibmodbus(IntPtr[] contexts, long[][] ticks, int connections)
    {
        var started = Stopwatch.GetTimestamp();
        var threads = Enumerable.Range(0, connections).Select(c => new Thread(() =>
        {
            var buffer = new ushort[LibmodbusComparisonBenchmarks.Count];
            for (var a = c; a < ticks.Length; a += connections)
            {
                var times = ticks[a];
                for (var i = 0; i < times.Length; i++)
                {
                    var before = Stopwatch.GetTimestamp();
                    LibmodbusComparisonBenchmarks.LibmodbusRead(contexts[c], buffer);
                    times[i] = Stopwatch.GetTimestamp() - before;
                }
            }

            LibmodbusComparisonBenchmarks.Check(buffer);
        })).ToArray();
        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());
        return Stopwatch.GetElapsedTime(started);
    }

    private static System.Net.Sockets.Socket Bare(int port)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
        return socket;
    }

    private const string Header = "case                   req/s    p50 us   p90 us   p99 us  p99.9 us   max us  client CPU us/req  server CPU us/req";

    /// <summary>The server's CPU time so far (user and system), from /proc: the same whatever else runs on the machine.</summary>
    private static TimeSpan ServerCpu(Process server)
    {
        var fields = File.ReadAllText($"/proc/{server.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime, stime
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
    }

    private static double[] Summarise(TimeSpan elapsed, long[][] ticks)
    {
        var all = ticks.SelectMany(t => t).ToArray();
        Array.Sort(all);
        double Us(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1e6 / Stopwatch.Frequency;
        return [all.Length / elapsed.TotalSeconds, Us(0.50), Us(0.90), Us(0.99), Us(0.999), all[^1] * 1e6 / Stopwatch.Frequency];
    }

    private static string Line(string name, double[] r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{name,-20} {r[0],7:0}   {r[1],7:0.0}  {r[2],7:0.0}  {r[3],7:0.0}  {r[4],8:0.0}  {r[5],7:0}  {r[6],17:0.0}  {r[7],17:0.0}");
}
