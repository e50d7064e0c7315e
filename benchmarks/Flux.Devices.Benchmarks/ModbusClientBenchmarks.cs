using System.Net;
using BenchmarkDotNet.Attributes;
using Flux.Devices.Modbus;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Transport;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// FC3 reads of 10 registers from our own server on 127.0.0.1, in the same process: one connection in sequence;
/// 4 and 16 connections in parallel; and 16 requests pipelined on one connection. Each benchmark operation is one
/// request (the figures are per request: invert the mean for requests per second). Run pinned to one CPU, as the
/// issue's comparison figures were, with <c>taskset -c 0</c>.
/// </summary>
[MemoryDiagnoser]
public class ModbusClientBenchmarks
{
    private const int RequestsPerInvoke = 4096;

    private ModbusTcpServer _server = null!;
    private ModbusEndpoint _endpoint;
    private ModbusTcpTransport _sequential = null!;
    private ModbusTcpTransport[] _parallel4 = null!;
    private ModbusTcpTransport[] _parallel16 = null!;
    private ModbusTcpTransport _pipelined = null!;
    private ushort[][] _buffers = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = new ModbusTcpServer(new ModbusTcpServerOptions { MaxConnections = 64 });
        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, 0, [.. Enumerable.Range(0, 1000).Select(i => (ushort)i)]);
        _server.AddUnit(1, unit);
        _server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0)).GetAwaiter().GetResult();
        _endpoint = _server.Endpoint;
        _sequential = new ModbusTcpTransport();
        _parallel4 = [.. Enumerable.Range(0, 4).Select(_ => new ModbusTcpTransport())];
        _parallel16 = [.. Enumerable.Range(0, 16).Select(_ => new ModbusTcpTransport())];
        _pipelined = new ModbusTcpTransport(new ModbusTcpOptions { MaxRequestsInFlight = 16 });
        _buffers = [.. Enumerable.Range(0, 16).Select(_ => new ushort[10])];

        // Open every connection before measuring.
        foreach (var client in new[] { _sequential, _pipelined }.Concat(_parallel4).Concat(_parallel16))
        {
            client.ReadHoldingRegistersAsync(_endpoint, 1, 0, _buffers[0]).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var client in new[] { _sequential, _pipelined }.Concat(_parallel4).Concat(_parallel16))
        {
            client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>One connection, one request at a time.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RequestsPerInvoke)]
    public async Task Sequential()
    {
        var buffer = _buffers[0];
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            await _sequential.ReadHoldingRegistersAsync(_endpoint, 1, 100, buffer);
        }
    }

    /// <summary>Four clients (four connections), each reading in sequence.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task Parallel4Connections() => RunParallel(_parallel4);

    /// <summary>Sixteen clients (sixteen connections), each reading in sequence.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task Parallel16Connections() => RunParallel(_parallel16);

    /// <summary>One connection with 16 requests in flight, matched by transaction id.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task Pipelined16InFlight() => RunParallel(Enumerable.Repeat(_pipelined, 16).ToArray());

    private Task RunParallel(ModbusTcpTransport[] clients)
    {
        var perCaller = RequestsPerInvoke / clients.Length;
        var tasks = new Task[clients.Length];
        for (var c = 0; c < clients.Length; c++)
        {
            tasks[c] = ReadManyAsync(clients[c], _buffers[c], perCaller);
        }

        return Task.WhenAll(tasks);
    }

    private async Task ReadManyAsync(ModbusTcpTransport client, ushort[] buffer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await client.ReadHoldingRegistersAsync(_endpoint, 1, 100, buffer);
        }
    }
}
