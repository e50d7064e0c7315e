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
/// The thread of one plain TCP connection: for each connect it is given (<see cref="TryConnect"/>), it connects with a
/// blocking call, waits until the connection has installed the socket (<see cref="ConnectAttempt.Run"/>) or given it
/// up (<see cref="ConnectAttempt.Abandon"/>), then runs the blocking receive loop until the socket closes. A reply
/// completes its caller on this thread, and the caller's next request is sent from it: one thread does the whole
/// exchange, with no hand-over between threads (the cost the async socket engine pays). After its socket closes the
/// thread waits for the next connect of its connection (<see cref="TryConnect"/>), until it is retired (<see cref="Retire"/>): a connection the
/// client replaces (for a garbage reply, a stall) reconnects on the same thread rather than start a new one.
/// </summary>
internal sealed class ReceiveThread
{
    private readonly TimeSpan _sendTimeout;
    private readonly ReceiveThreadBudget _budget;
    private readonly object _gate = new();
    private ConnectAttempt? _next;
    private bool _retired;
    private int _connects;

    private ReceiveThread(TimeSpan sendTimeout, ReceiveThreadBudget budget)
    {
        _sendTimeout = sendTimeout;
        _budget = budget;
    }

    /// <summary>Gets how many connects this thread has been given (for tests: a reused thread has more than one).</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Starts a thread, waiting for its first connect (the caller has taken its place in <paramref name="budget"/>; the thread gives it back when it ends).</summary>
    public static ReceiveThread Start(TimeSpan sendTimeout, ReceiveThreadBudget budget, string name)
    {
        var receiver = new ReceiveThread(sendTimeout, budget);
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

    /// <summary>
    /// Gives the thread its next connect. The previous socket is closed by now, so its receive loop is ending: the
    /// thread starts this connect as soon as it has.
    /// </summary>
    /// <returns>The attempt, or null if the thread has ended (it is then no use to anyone).</returns>
    public ConnectAttempt? TryConnect(IPAddress[] addresses, int port)
    {
        var attempt = new ConnectAttempt(addresses, port, _sendTimeout);
        lock (_gate)
        {
            if (_retired || _next is not null)
            {
                return null;
            }

            _next = attempt;
            _connects++;
            Monitor.Pulse(_gate);
        }

        return attempt;
    }

    /// <summary>The thread ends once its current socket (if any) has closed; a connect not yet started is cancelled.</summary>
    public void Retire()
    {
        ConnectAttempt? pending;
        lock (_gate)
        {
            _retired = true;
            pending = _next;
            _next = null;
            Monitor.Pulse(_gate);
        }

        pending?.Cancel();
    }

    private void Main()
    {
        try
        {
            while (true)
            {
                ConnectAttempt attempt;
                lock (_gate)
                {
                    while (_next is null && !_retired)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_next is null)
                    {
                        return; // retired
                    }

                    attempt = _next;
                    _next = null;
                }

                if (!attempt.ConnectAndReceive())
                {
                    return; // the connect failed or its socket was not wanted: the connection does not keep this thread
                }
            }
        }
        finally
        {
            Retire(); // however it ended: a connect given to it from now on is refused, one given meanwhile cancelled
            _budget.Give();
        }
    }
}

/// <summary>One connect of a <see cref="ReceiveThread"/>, and the receive loop on its socket if the connection takes it.</summary>
internal sealed class ConnectAttempt
{
    private readonly IPAddress[] _addresses;
    private readonly int _port;
    private readonly TimeSpan _sendTimeout;
    private readonly TaskCompletionSource<BlockingSocket> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly object _gate = new();
    private BlockingSocket? _current;
    private bool _cancelled;
    private bool _handedOver;
    private bool _decided;
    private Action<BlockingSocket>? _receive;

    internal ConnectAttempt(IPAddress[] addresses, int port, TimeSpan sendTimeout)
    {
        _addresses = addresses;
        _port = port;
        _sendTimeout = sendTimeout;
    }

    /// <summary>Completes with the connected socket, or fails with the last connect error, or is cancelled by <see cref="Cancel"/>.</summary>
    public Task<BlockingSocket> Connected => _connected.Task;

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

    /// <summary>On the thread: connects, waits for the connection's decision, receives. Returns whether the socket was taken (and has closed by now).</summary>
    internal bool ConnectAndReceive()
    {
        try
        {
            var socket = Connect();
            if (socket is null)
            {
                return false;
            }

            if (!_connected.TrySetResult(socket))
            {
                socket.Dispose();
                return false;
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
                return false;
            }

            receive(socket);
            return true;
        }
#pragma warning disable CA1031 // Nothing may escape a thread: connect failures go to the connection; the receive loop catches its own.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _connected.TrySetException(ex);
            return false;
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
