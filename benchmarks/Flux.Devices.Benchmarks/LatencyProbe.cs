using System.Diagnostics;
using System.Globalization;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// Latency percentiles beside libmodbus, which BenchmarkDotNet does not give per request: 16 connections, each reading
/// in sequence (FC3, 10 registers) from the libmodbus server of <see cref="LibmodbusComparisonBenchmarks"/>, every
/// request timed with <see cref="Stopwatch"/> into a preallocated array (nothing allocated while measuring). Prints
/// requests per second and p50/p90/p99/p99.9/max for ours (receive threads), ours on the async socket engine
/// (<c>MaxReceiveThreads = 0</c>) and libmodbus (16 threads), in rounds that alternate the clients so that background
/// load falls on all of them alike.
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
        IModbusTransport[] Clients(int receiveThreads) => [.. Enumerable.Range(0, Connections).Select(_ =>
        {
            var services = new ServiceCollection();
            services.AddFluxDevices().UseModbusTcp(o => o.MaxReceiveThreads = receiveThreads);
            var provider = services.BuildServiceProvider();
            providers.Add(provider);
            return provider.GetRequiredService<IModbusTransport>();
        })];

        var ours = Clients(64);
        var engine = Clients(0);
        var libmodbus = Enumerable.Range(0, Connections).Select(_ => LibmodbusComparisonBenchmarks.LibmodbusConnect(port)).ToArray();
        var ticks = new long[Connections][];
        for (var c = 0; c < Connections; c++)
        {
            ticks[c] = new long[perConnection];
        }

        try
        {
            Console.WriteLine($"16 connections, {perConnection} requests each, {rounds} rounds; loadavg {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine("(\"... 1\": one connection in sequence, the same count of requests)");
            Console.WriteLine("client       req/s     p50 us   p90 us   p99 us  p99.9 us   max us");
            for (var round = 0; round <= rounds; round++)
            {
                var warmUp = round == 0; // the first round warms every path up and is not printed
                Report("ours", await MeasureOursAsync(ours, endpoint, ticks, Connections), ticks, Connections, warmUp);
                Report("ours-engine", await MeasureOursAsync(engine, endpoint, ticks, Connections), ticks, Connections, warmUp);
                Report("libmodbus", MeasureLibmodbus(libmodbus, ticks, Connections), ticks, Connections, warmUp);
                Report("ours 1", await MeasureOursAsync(ours, endpoint, ticks, 1), ticks, 1, warmUp);
                Report("engine 1", await MeasureOursAsync(engine, endpoint, ticks, 1), ticks, 1, warmUp);
                Report("libmodbus 1", MeasureLibmodbus(libmodbus, ticks, 1), ticks, 1, warmUp);
            }

            Console.WriteLine($"loadavg after {File.ReadAllText("/proc/loadavg").Trim()}");
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
            var times = ticks[c];
            for (var i = 0; i < times.Length; i++)
            {
                var before = Stopwatch.GetTimestamp();
                await clients[c].ReadHoldingRegistersAsync(endpoint, 1, LibmodbusComparisonBenchmarks.Address, buffer);
                times[i] = Stopwatch.GetTimestamp() - before;
            }

            LibmodbusComparisonBenchmarks.Check(buffer);
        })));
        return Stopwatch.GetElapsedTime(started);
    }

    private static TimeSpan MeasureLibmodbus(IntPtr[] contexts, long[][] ticks, int connections)
    {
        var started = Stopwatch.GetTimestamp();
        var threads = Enumerable.Range(0, connections).Select(c => new Thread(() =>
        {
            var buffer = new ushort[LibmodbusComparisonBenchmarks.Count];
            var times = ticks[c];
            for (var i = 0; i < times.Length; i++)
            {
                var before = Stopwatch.GetTimestamp();
                LibmodbusComparisonBenchmarks.LibmodbusRead(contexts[c], buffer);
                times[i] = Stopwatch.GetTimestamp() - before;
            }

            LibmodbusComparisonBenchmarks.Check(buffer);
        })).ToArray();
        Array.ForEach(threads, t => t.Start());
        Array.ForEach(threads, t => t.Join());
        return Stopwatch.GetElapsedTime(started);
    }

    private static void Report(string client, TimeSpan elapsed, long[][] ticks, int connections, bool warmUp)
    {
        if (warmUp)
        {
            return;
        }

        var all = ticks.Take(connections).SelectMany(t => t).ToArray();
        Array.Sort(all);
        double Us(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{client,-11} {all.Length / elapsed.TotalSeconds,7:0}   {Us(0.50),7:0.0}  {Us(0.90),7:0.0}  {Us(0.99),7:0.0}  {Us(0.999),8:0.0}  {all[^1] * 1e6 / Stopwatch.Frequency,7:0}"));
    }
}
