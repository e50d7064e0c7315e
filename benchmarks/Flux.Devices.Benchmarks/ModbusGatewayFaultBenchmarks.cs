using System.Net;
using BenchmarkDotNet.Attributes;
using Flux.Devices.Modbus;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Transport;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// A gateway with one misbehaving unit (issue 12, point 4): 16 callers share one client and one connection to our own
/// server on 127.0.0.1; every 20th request goes to a unit that answers with the wrong unit id (a whole frame) or with
/// bytes that are not a Modbus frame, the rest to a healthy unit. Each benchmark operation is one request to the healthy
/// unit (invert the mean for its requests per second); the bad requests are extra work in the same time. Run pinned to
/// one CPU with <c>taskset -c 0</c>, like <see cref="ModbusClientBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class ModbusGatewayFaultBenchmarks
{
    private const int Callers = 16;
    private const int HealthyPerCaller = 256;
    private const int HealthyRequests = Callers * HealthyPerCaller;
    private const byte HealthyUnit = 1;
    private const byte BadUnit = 2;

    private ModbusTcpServer _server = null!;
    private ModbusEndpoint _endpoint;
    private ModbusTcpTransport _client = null!;
    private ushort[][] _buffers = null!;

    /// <summary>Gets or sets how the bad unit misbehaves: <c>none</c> (it never gets a request), <c>wrong-unit</c> or <c>garbage</c>.</summary>
    [Params("none", "wrong-unit", "garbage")]
    public string Fault { get; set; } = "none";

    /// <summary>Gets or sets how many requests may be in flight on the connection.</summary>
    [Params(1, 16)]
    public int InFlight { get; set; }

    /// <summary>Gets or sets <see cref="ModbusTcpOptions.MaxReceiveThreads"/>: 64 (the default: the connection has a thread of its own) or 0 (the async socket engine).</summary>
    [Params(64, 0)]
    public int ReceiveThreads { get; set; } = 64;

    [GlobalSetup]
    public void Setup()
    {
        _server = new ModbusTcpServer();
        var healthy = new ModbusUnit();
        healthy.SetRegisters(ModbusTable.HoldingRegisters, 0, [.. Enumerable.Range(0, 1000).Select(i => (ushort)i)]);
        var bad = new ModbusUnit();
        bad.SetRegisters(ModbusTable.HoldingRegisters, 0, new ushort[1000]);
        bad.Faults.WrongUnitId = Fault == "wrong-unit";
        bad.Faults.Garbage = Fault == "garbage";
        _server.AddUnit(HealthyUnit, healthy);
        _server.AddUnit(BadUnit, bad);
        _server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0)).GetAwaiter().GetResult();
        _endpoint = _server.Endpoint;
        _client = new ModbusTcpTransport(new ModbusTcpOptions { MaxRequestsInFlight = InFlight, RetryCount = 0, MaxReceiveThreads = ReceiveThreads });
        _buffers = [.. Enumerable.Range(0, Callers).Select(_ => new ushort[10])];
        _client.ReadHoldingRegistersAsync(_endpoint, HealthyUnit, 0, _buffers[0]).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>16 callers; with a fault, one request in 20 goes to the bad unit.</summary>
    [Benchmark(OperationsPerInvoke = HealthyRequests)]
    public Task HealthyUnitWithOneBadUnitIn20()
    {
        var tasks = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            tasks[c] = CallerAsync(_buffers[c], c);
        }

        return Task.WhenAll(tasks);
    }

    private async Task CallerAsync(ushort[] buffer, int caller)
    {
        var healthy = 0;
        for (var i = caller; healthy < HealthyPerCaller; i++)
        {
            if (Fault != "none" && i % 20 == 0)
            {
                try
                {
                    await _client.ReadHoldingRegistersAsync(_endpoint, BadUnit, 100, buffer);
                }
                catch (FluxDevicesException)
                {
                    // expected: the bad unit's reply is rejected
                }

                continue;
            }

            await _client.ReadHoldingRegistersAsync(_endpoint, HealthyUnit, 100, buffer);
            if (buffer[0] != 100)
            {
                throw new InvalidOperationException($"mismatched reply: register 100 read as {buffer[0]}");
            }

            healthy++;
        }
    }
}
