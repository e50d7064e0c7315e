using System.Buffers.Binary;
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

/// <summary>One request as the script sees it, and the ways to answer it.</summary>
internal sealed class ScriptedExchange(Socket socket, SemaphoreSlim sendLock, byte[] request, int connectionNumber, int requestNumber, CancellationToken stop)
{
    public byte[] Request => request;

    public int ConnectionNumber => connectionNumber;

    /// <summary>Gets the number of this request over the whole server, from 1.</summary>
    public int RequestNumber => requestNumber;

    public ushort TransactionId => BinaryPrimitives.ReadUInt16BigEndian(request);

    public byte UnitId => request[6];

    public byte FunctionCode => request[7];

    public ushort Address => BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(8));

    public ushort Quantity => BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(10));

    public bool Closed { get; private set; }

    /// <summary>Builds a frame: MBAP header (protocol id 0, length from the PDU) and PDU.</summary>
    public static byte[] Frame(ushort transactionId, byte unitId, params byte[] pdu)
    {
        var frame = new byte[7 + pdu.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), (ushort)(pdu.Length + 1));
        frame[6] = unitId;
        pdu.CopyTo(frame, 7);
        return frame;
    }

    /// <summary>The correct reply to a register read, each register holding <paramref name="valueOf"/> of its address.</summary>
    public byte[] RegisterReply(Func<int, ushort>? valueOf = null, ushort? transactionId = null)
    {
        valueOf ??= a => (ushort)a;
        var pdu = new byte[2 + (2 * Quantity)];
        pdu[0] = FunctionCode;
        pdu[1] = (byte)(2 * Quantity);
        for (var i = 0; i < Quantity; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(2 + (2 * i)), valueOf(Address + i));
        }

        return Frame(transactionId ?? TransactionId, UnitId, pdu);
    }

    /// <summary>The correct reply to a write: the echo of the request's first 5 PDU bytes.</summary>
    public byte[] EchoReply() => Frame(TransactionId, UnitId, request.AsSpan(7, 5).ToArray());

    public async Task SendAsync(byte[] bytes)
    {
        await sendLock.WaitAsync(stop);
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, stop);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Sends later, without holding up the next request.</summary>
    public void SendLater(byte[] bytes, TimeSpan delay) => _ = Task.Run(async () =>
    {
        try
        {
            await Task.Delay(delay, stop);
            await SendAsync(bytes);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    });

    /// <summary>Sends byte by byte, with a pause between bytes.</summary>
    public async Task DripAsync(byte[] bytes, TimeSpan gap)
    {
        foreach (var b in bytes)
        {
            await SendAsync([b]);
            await Task.Delay(gap, stop);
        }
    }

    /// <summary>Closes the connection with a FIN.</summary>
    public void Close()
    {
        Closed = true;
        socket.Shutdown(SocketShutdown.Both);
        socket.Close();
    }

    /// <summary>Resets the connection (RST: linger 0).</summary>
    public void Reset()
    {
        Closed = true;
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}
