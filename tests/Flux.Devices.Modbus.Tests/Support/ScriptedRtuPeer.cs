using System.Net;
using System.Net.Sockets;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.Support;

/// <summary>
/// A raw RTU-over-TCP device on 127.0.0.1 for the RTU error-path tests: it reads request frames (unit id, PDU, CRC,
/// framed by a length table of its own) and answers each with the chunks a script returns, sent one after another
/// (none for silence). Requests are counted after their answer went out.
/// </summary>
internal sealed class ScriptedRtuPeer : IAsyncDisposable
{
    private readonly Func<int, byte[], byte[][]> _script;
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _clients = [];
    private readonly List<byte[]> _requests = [];
    private readonly Task _accepting;
    private int _connections;

    public ScriptedRtuPeer(Func<int, byte[], byte[][]> script)
    {
        _script = script;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Endpoint = ModbusEndpoint.From((IPEndPoint)_listener.LocalEndPoint!) with { Framing = ModbusFraming.RtuOverTcp };
        _accepting = AcceptAsync();
    }

    public ModbusEndpoint Endpoint { get; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Gets the request frames received, CRC included, in order.</summary>
    public IReadOnlyList<byte[]> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Completes when the n-th request (1-based) has been answered.</summary>
    public Task WaitForRequestAsync(int n) => ScriptedModbusServer.WaitAsync(() => Requests.Count >= n);

    /// <summary>A frame from hex (spaces allowed) with its CRC-16/MODBUS appended, computed bit by bit as the serial line spec describes.</summary>
    public static byte[] Frame(string hex)
    {
        var body = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
        var crc = Crc(body);
        return [.. body, (byte)crc, (byte)(crc >> 8)];
    }

    public static ushort Crc(ReadOnlySpan<byte> bytes)
    {
        ushort crc = 0xFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                var lsb = (crc & 1) != 0;
                crc >>= 1;
                if (lsb)
                {
                    crc ^= 0xA001;
                }
            }
        }

        return crc;
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

    /// <summary>The request length by function code: 8 for 1..6, byte count at 6 (15, 16) or 10 (23), 7 for 43/14.</summary>
    private static int? RequestLength(List<byte> buffer) => buffer.Count < 2 ? null : buffer[1] switch
    {
        >= 1 and <= 6 => 8,
        0x0F or 0x10 => buffer.Count < 7 ? null : 9 + buffer[6],
        0x17 => buffer.Count < 11 ? null : 13 + buffer[10],
        0x2B => 7,
        _ => throw new InvalidOperationException($"the scripted peer cannot frame function {buffer[1]}"),
    };

    private async Task AcceptAsync()
    {
        var serving = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_clients)
                {
                    _clients.Add(client);
                }

                serving.Add(ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        await Task.WhenAll(serving);
    }

    private async Task ServeAsync(Socket client)
    {
        var buffer = new List<byte>();
        var chunk = new byte[512];
        try
        {
            while (true)
            {
                var received = await client.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
                if (received == 0)
                {
                    return;
                }

                buffer.AddRange(chunk.AsSpan(0, received));
                while (RequestLength(buffer) is { } length && buffer.Count >= length)
                {
                    var request = buffer.GetRange(0, length).ToArray();
                    buffer.RemoveRange(0, length);
                    int index;
                    lock (_requests)
                    {
                        index = _requests.Count;
                    }

                    foreach (var part in _script(index, request))
                    {
                        await client.SendAsync(part, SocketFlags.None, _stop.Token);
                    }

                    lock (_requests)
                    {
                        _requests.Add(request);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
