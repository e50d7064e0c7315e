using System.Diagnostics;
using System.Net;
using Flux.Devices.Modbus;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Transport;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// <see cref="ModbusGatewayFaultBenchmarks"/> with one request in flight, as a plain loop for a loaded machine: 16 callers,
/// every 20th request to a unit that answers garbage, on the receive thread (64) and the engine (0), fault-free and
/// with the fault; prints the median and the best healthy-unit time per request over the rounds. Run two builds in
/// turns to compare them.
/// </summary>
internal static class GatewayProbe
{
    public static async Task RunAsync(int rounds)
    {
        foreach (var threads in new[] { 64, 0 })
        {
            foreach (var fault in new[] { "none", "garbage" })
            {
                var server = new ModbusTcpServer();
                var healthy = new ModbusUnit();
                healthy.SetRegisters(ModbusTable.HoldingRegisters, 0, [.. Enumerable.Range(0, 1000).Select(i => (ushort)i)]);
                var bad = new ModbusUnit();
                bad.SetRegisters(ModbusTable.HoldingRegisters, 0, new ushort[1000]);
                bad.Faults.Garbage = fault == "garbage";
                server.AddUnit(1, healthy);
                server.AddUnit(2, bad);
                await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
                var client = new ModbusTcpTransport(new ModbusTcpOptions { MaxRequestsInFlight = 1, RetryCount = 0, MaxReceiveThreads = threads });
                var times = new List<double>();
                for (var r = 0; r <= rounds; r++)
                {
                    var sw = Stopwatch.StartNew();
                    await Task.WhenAll(Enumerable.Range(0, 16).Select(c => CallerAsync(client, server.Endpoint, fault, c)));
                    if (r > 0)
                    {
                        times.Add(sw.Elapsed.TotalMicroseconds / (16 * 256));
                    }
                }

                times.Sort();
                Console.WriteLine($"threads={threads} fault={fault} median={times[times.Count / 2]:0.0} us min={times[0]:0.0} us");
                await client.DisposeAsync();
                await server.DisposeAsync();
            }
        }
    }

    private static async Task CallerAsync(ModbusTcpTransport client, ModbusEndpoint endpoint, string fault, int caller)
    {
        var buffer = new ushort[10];
        var healthy = 0;
        for (var i = caller; healthy < 256; i++)
        {
            if (fault != "none" && i % 20 == 0)
            {
                try
                {
                    await client.ReadHoldingRegistersAsync(endpoint, 2, 100, buffer);
                }
                catch (FluxDevicesException)
                {
                    // expected: the bad unit's reply is rejected
                }

                continue;
            }

            await client.ReadHoldingRegistersAsync(endpoint, 1, 100, buffer);
            if (buffer[0] != 100)
            {
                throw new InvalidOperationException($"mismatched reply: register 100 read as {buffer[0]}");
            }

            healthy++;
        }
    }
}
