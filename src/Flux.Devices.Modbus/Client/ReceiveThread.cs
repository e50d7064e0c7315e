using System.Net;
using System.Net.Sockets;

namespace Flux.Devices.Modbus.Client;

/// <summary>How many connections of one client may have a receive thread of their own (<see cref="ModbusTcpOptions.MaxReceiveThreads"/>).</summary>
internal sealed class ReceiveThreadBudget(int limit)
{
    private int _used;

    /// <summary>Gets the count of receive threads alive now (connecting, receiving, or ending).</summary>
    public int InUse => Volatile.Read(ref _used);

    public bool TryTake()
    {
        while (true)
        {
            var used = Volatile.Read(ref _used);
            if (used >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + 1, used) == used)
            {
                return true;
            }
        }
    }

    public void Give() => Interlocked.Decrement(ref _used);
}

/// <summary>
/// A plain TCP socket that only ever sees blocking calls. On Unix, .NET puts a socket in non-blocking mode for good
/// at its first asynchronous operation (and then emulates blocking calls through its event loop), so nothing may
/// call an async method on one of these: <see cref="ModbusConnection"/> checks the type to choose its calls.
/// </summary>
internal sealed class BlockingSocket(AddressFamily family) : Socket(family, SocketType.Stream, ProtocolType.Tcp);

/// <summary>
/// The thread of one plain TCP connection: it connects with a blocking call, waits until the connection has installed
/// the socket (<see cref="Run"/>) or given it up (<see cref="Abandon"/>), then runs the blocking receive loop until
/// the socket closes. A reply completes its caller on this thread, and the caller's next request is sent from it:
/// one thread does the whole exchange, with no hand-over between threads (the cost the async socket engine pays).
/// </summary>
internal sealed class ReceiveThread
{
    private readonly IPAddress[] _addresses;
    private readonly int _port;
    private readonly TimeSpan _sendTimeout;
    private readonly ReceiveThreadBudget _budget;
    private readonly TaskCompletionSource<BlockingSocket> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly object _gate = new();
    private BlockingSocket? _current;
    private bool _cancelled;
    private bool _handedOver;
    private bool _decided;
    private Action<BlockingSocket>? _receive;

    private ReceiveThread(IPAddress[] addresses, int port, TimeSpan sendTimeout, ReceiveThreadBudget budget)
    {
        _addresses = addresses;
        _port = port;
        _sendTimeout = sendTimeout;
        _budget = budget;
    }

    /// <summary>Completes with the connected socket, or fails with the last connect error, or is cancelled by <see cref="Cancel"/>.</summary>
    public Task<BlockingSocket> Connected => _connected.Task;

    /// <summary>Starts a thread (the caller has taken its place in <paramref name="budget"/>; the thread gives it back when it ends).</summary>
    public static ReceiveThread Start(IPAddress[] addresses, int port, TimeSpan sendTimeout, ReceiveThreadBudget budget, string name)
    {
        var receiver = new ReceiveThread(addresses, port, sendTimeout, budget);
        try
        {
            // No execution context flows: the loop runs nobody's AsyncLocals (continuations bring their own).
            new Thread(receiver.Main) { IsBackground = true, Name = name }.UnsafeStart();
        }
        catch
        {
            budget.Give();
            throw;
        }

        return receiver;
    }

    /// <summary>Ends a connect that took too long (or whose caller gave up): the socket is closed, which aborts the blocking connect.</summary>
    public void Cancel()
    {
        BlockingSocket? socket;
        lock (_lock)
        {
            if (_handedOver)
            {
                return; // connected first: the connection decides (Run or Abandon)
            }

            _cancelled = true;
            socket = _current;
        }

        _connected.TrySetCanceled();
        socket?.Dispose();
    }

    /// <summary>The socket is the connection's now: receive on it until it closes.</summary>
    public void Run(Action<BlockingSocket> receive) => Decide(receive);

    /// <summary>The socket was not wanted after all (closed by the caller): the thread ends.</summary>
    public void Abandon() => Decide(null);

    private void Decide(Action<BlockingSocket>? receive)
    {
        lock (_gate)
        {
            if (_decided)
            {
                return;
            }

            _receive = receive;
            _decided = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Main()
    {
        try
        {
            var socket = Connect();
            if (socket is null)
            {
                return;
            }

            if (!_connected.TrySetResult(socket))
            {
                socket.Dispose();
                return;
            }

            Action<BlockingSocket>? receive;
            lock (_gate)
            {
                while (!_decided)
                {
                    Monitor.Wait(_gate);
                }

                receive = _receive;
            }

            if (receive is null)
            {
                socket.Dispose();
                return;
            }

            receive(socket);
        }
        catch (Exception ex)
        {
            // Connect failures end up here; the receive loop catches its own. Nothing may escape a thread.
            _connected.TrySetException(ex);
        }
        finally
        {
            _budget.Give();
        }
    }

    /// <summary>Tries each address in turn; returns null when cancelled.</summary>
    private BlockingSocket? Connect()
    {
        for (var i = 0; ; i++)
        {
            var socket = new BlockingSocket(_addresses[i].AddressFamily) { NoDelay = true };
            lock (_lock)
            {
                if (_cancelled)
                {
                    socket.Dispose();
                    return null;
                }

                _current = socket;
            }

            try
            {
                // A send blocks only when the device stops reading and its window and our buffer are full: bound it.
                socket.SendTimeout = (int)Math.Min(int.MaxValue, Math.Max(1, _sendTimeout.TotalMilliseconds));
                socket.Connect(new IPEndPoint(_addresses[i], _port));
            }
            catch (SocketException) when (i + 1 < _addresses.Length)
            {
                socket.Dispose();
                continue;
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            lock (_lock)
            {
                if (_cancelled)
                {
                    socket.Dispose();
                    return null;
                }

                _handedOver = true;
                return socket;
            }
        }
    }
}
