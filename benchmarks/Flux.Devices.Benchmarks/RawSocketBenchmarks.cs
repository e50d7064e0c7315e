using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// The floor under <see cref="ModbusClientBenchmarks"/>: an async .NET TCP ping-pong on 127.0.0.1 with the same frame sizes
/// (12 bytes out, 29 bytes back, an FC3 read of 10 registers) and no Modbus at all, both ends in this process.
/// </summary>
[MemoryDiagnoser]
public class RawSocketBenchmarks
{
    private const int RequestsPerInvoke = 4096;
    private readonly byte[] _request = new byte[12];
    private readonly byte[] _reply = new byte[29];
    private readonly byte[] _received = new byte[260];
    private Socket _listener = null!;
    private Socket _client = null!;
    private Socket _server = null!;

    [GlobalSetup]
    public void Setup()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect(_listener.LocalEndPoint!);
        _server = _listener.Accept();
        _server.NoDelay = true;
        _ = EchoAsync();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
        _listener.Dispose();
    }

    /// <summary>Send 12 bytes, receive 29, in sequence.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RequestsPerInvoke)]
    public async Task AsyncPingPong()
    {
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            await _client.SendAsync(_request.AsMemory(), SocketFlags.None);
            var got = 0;
            while (got < _reply.Length)
            {
                got += await _client.ReceiveAsync(_received.AsMemory(got), SocketFlags.None);
            }
        }
    }

    private async Task EchoAsync()
    {
        var buffer = new byte[260];
        try
        {
            while (await _server.ReceiveAsync(buffer.AsMemory(), SocketFlags.None) > 0)
            {
                await _server.SendAsync(_reply.AsMemory(), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
