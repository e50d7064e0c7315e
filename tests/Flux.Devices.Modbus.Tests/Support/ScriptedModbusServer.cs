using System.Net;
using System.Net.Sockets;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.Support;

/// <summary>
/// A raw TCP peer on 127.0.0.1 that hands every request frame to a script, which answers with whatever bytes it likes:
/// the misbehaving devices of the error-path tests. Requests on one connection are handed over in order; a script
/// that wants to answer later without holding up the next request uses <see cref="ScriptedExchange.SendLater"/>.
/// </summary>
internal sealed class ScriptedModbusServer : IAsyncDisposable
{
    private readonly Func<ScriptedExchange, Task> _script;
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _clients = [];
    private readonly Task _accepting;
    private int _connections;
    private int _requests;

    public ScriptedModbusServer(Func<ScriptedExchange, Task> script)
    {
        _script = script;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Endpoint = ModbusEndpoint.From((IPEndPoint)_listener.LocalEndPoint!);
        _accepting = AcceptAsync();
    }

    public ModbusEndpoint Endpoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Completes when the server has received its n-th request (1-based).</summary>
    public Task WaitForRequestAsync(int n) => WaitAsync(() => Requests >= n);

    public static async Task WaitAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_clients)
            {
                _clients.Add(client);
            }

            var number = Interlocked.Increment(ref _connections);
            _ = ServeAsync(client, number);
        }
    }

    private async Task ServeAsync(Socket client, int connectionNumber)
    {
        var buffer = new byte[4096];
        var filled = 0;
        var sendLock = new SemaphoreSlim(1, 1);
        try
        {
            while (true)
            {
                var received = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (received == 0)
                {
                    return;
                }

                filled += received;
                while (ModbusFrame.TryRead(buffer.AsSpan(0, filled), out _, out var length, out _) == FrameStatus.Complete)
                {
                    var frame = buffer.AsSpan(0, length).ToArray();
                    buffer.AsSpan(length, filled - length).CopyTo(buffer);
                    filled -= length;
                    var exchange = new ScriptedExchange(client, sendLock, frame, connectionNumber, Interlocked.Increment(ref _requests), _stop.Token);
                    await _script(exchange);
                    if (exchange.Closed)
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
