using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Flux.Devices.Modbus.Diagnostics;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Modbus.Security;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Modbus.Client;

/// <summary>What a request reads its reply into.</summary>
internal readonly record struct ReplyTarget(Memory<ushort> Registers, Memory<bool> Bits, IDictionary<byte, string>? Objects);

/// <summary>How a connection failure is reported to the requests it fails.</summary>
internal enum FailureKind
{
    Transport,
    Protocol,
    Security,
}

/// <summary>What a device identification reply said about the objects that follow.</summary>
internal readonly record struct ReplyInfo(bool MoreFollows, byte NextObjectId, byte ConformityLevel);

/// <summary>
/// The connection to one endpoint: opened lazily, one at a time, re-opened after failures with a growing wait.
/// Requests take one of <see cref="ModbusTcpOptions.MaxRequestsInFlight"/> slots; a receive loop matches every reply
/// to its request by transaction id. A reply whose request already ended is discarded. A whole frame with bad content
/// (unit id, function code, byte count) fails only its own request. A frame that cannot be delimited, or a reply that
/// matches no request, closes the connection: its own request fails, and the reads waiting beside it are sent again
/// on a new connection (writes end as outcome unknown).
/// </summary>
/// <remarks>
/// After a request times out with its reply outstanding, the connection is suspect until a frame arrives on it. The
/// next read sent on it is a probe: if nothing at all arrives within half its deadline, the device has stalled, the
/// connection is replaced and the read sent again on the new one. A write is not sent on a suspect connection that
/// nothing else is waiting on: the connection is replaced first, so that a write is never left outcome unknown for
/// an earlier request's sake.
/// </remarks>
internal sealed class ModbusConnection : IAsyncDisposable, IDisposable
{
    private const int ExpiredCapacity = 64;

    /// <summary>How often one attempt may be sent again because its connection was replaced for another request's sake.</summary>
    private const int MaxResends = 16;

    private readonly ModbusEndpoint _endpoint;
    private readonly ModbusTcpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ModbusMetrics _metrics;
    private readonly ReceiveThreadBudget? _threads;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Stack<PendingRequest> _free = new();
    private readonly PendingRequest?[] _inFlight;
    private readonly ushort[] _expired = new ushort[ExpiredCapacity];
    private int _expiredCount;
    private int _expiredNext;
    private Socket? _socket;
    private SslStream? _tls;
    private ReceiveThread? _receiver; // the thread of _socket, if it has one
    private ReceiveThread? _spareReceiver; // the thread of a socket the client replaced, waiting for the next connect
    private (Socket Socket, string Detail, Exception? Error)? _securityFailure;
    private ushort _lastTransactionId;
    private int _consecutiveTimeouts;
    private int _failures;
    private long _nextConnectAt;
    private long _readyAt;
    private long _lastSendAt;
    private int _strayBytes;
    private readonly byte[] _strayPrefix = new byte[4];
    private int _strayPrefixLength;
    private long _frames;
    private long _sent;
    private long _suspectAtFrame = -1;
    private string? _downReason;
    private Exception? _downError;
    private long _outageStartedAt;
    private int _outageAttempts;
    private bool _disposed;

    public ModbusConnection(ModbusEndpoint endpoint, ModbusTcpOptions options, TimeProvider time, ILogger logger, ModbusMetrics metrics, ReceiveThreadBudget? threads = null)
    {
        _threads = threads;
        _endpoint = endpoint;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _slots = new SemaphoreSlim(options.MaxRequestsInFlight, options.MaxRequestsInFlight);
        _inFlight = new PendingRequest?[options.MaxRequestsInFlight];
    }

    /// <summary>Gets the socket of the open connection, if any.</summary>
    internal Socket? CurrentSocket => Volatile.Read(ref _socket);

    /// <summary>Gets the thread of the open connection, if it has one (for tests).</summary>
    internal ReceiveThread? CurrentReceiver
    {
        get
        {
            lock (_lock)
            {
                return _receiver;
            }
        }
    }

    /// <summary>Gets the count of replies that came after their request had ended and were discarded.</summary>
    public long LateReplies { get; private set; }

    /// <summary>Sends one request and reads its reply into <paramref name="target"/>: one attempt, with its own deadline.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReplyInfo> ExecuteAsync(ModbusRequest request, ReplyTarget target, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var slot = Rent();
        try
        {
            slot.Start(_endpoint, _options.RequestTimeout, cancellationToken);
            var pduLength = request.WritePdu(slot.Request.AsSpan(ModbusFrame.HeaderLength));
            Socket socket;
            int frameLength;
            for (var resends = 0; ; resends++)
            {
                try
                {
                    (socket, frameLength) = await RoundTripAsync(slot, request.UnitId, request.IsWrite, pduLength).ConfigureAwait(false);
                    break;
                }
                catch (ModbusTransportException ex) when (ex is not ModbusSecurityException && slot.ConnectionLost && !(request.IsWrite && slot.SendStarted) && resends < MaxResends)
                {
                    // The connection was replaced for another request's sake: send again on the new one, same deadline.
                    slot.Rearm();
                }
                catch (Exception ex) when (request.IsWrite && slot.SendStarted && ex is (ModbusTimeoutException or ModbusTransportException or ModbusProtocolException) and not ModbusSecurityException)
                {
                    throw new ModbusWriteOutcomeUnknownException(_endpoint, request.UnitId, request.FunctionCode, request.Address, ex);
                }
            }

            return Decode(request, target, slot.Response.AsSpan(0, frameLength));
        }
        finally
        {
            slot.Finish();
            Return(slot);
            _slots.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the socket (requests in flight fail) and frees the idle slots; nothing here waits.</summary>
    public void Dispose()
    {
        Socket? socket;
        ReceiveThread? spare;
        lock (_lock)
        {
            _disposed = true;
            socket = _socket;
            spare = _spareReceiver;
            _spareReceiver = null;
        }

        spare?.Retire();
        if (socket is not null)
        {
            Abort(socket, FailureKind.Transport, "the client was disposed", null, countFailure: false);
        }

        lock (_lock)
        {
            // Slots in use are disposed by nobody: their deadlines are cancelled by now and hold no timer.
            while (_free.TryPop(out var slot))
            {
                slot.Dispose();
            }
        }
    }

    private ReplyInfo Decode(in ModbusRequest request, ReplyTarget target, ReadOnlySpan<byte> frame)
    {
        if (_options.StrictUnitId && frame[6] != request.UnitId)
        {
            throw Reject(request, $"unit id {frame[6]} in reply to unit id {request.UnitId}");
        }

        var pdu = frame[ModbusFrame.HeaderLength..];
        switch (ModbusReply.Check(request, pdu, out var code, out var error))
        {
            case ReplyKind.Exception:
                _metrics.ExceptionReply((ModbusExceptionCode)code);
                throw new ModbusException(_endpoint, request.UnitId, request.FunctionCode, (ModbusExceptionCode)code);
            case ReplyKind.Invalid:
                throw Reject(request, error!);
        }

        switch (request.FunctionCode)
        {
            case ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs:
                ModbusRequest.UnpackBits(pdu[2..], target.Bits.Span);
                break;
            case ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters or ModbusFunction.ReadWriteMultipleRegisters:
                ModbusRequest.ReadRegisters(pdu[2..], target.Registers.Span);
                break;
            case ModbusFunction.EncapsulatedInterface:
                var (more, next, conformity) = ModbusReply.ReadDeviceIdentification(pdu, target.Objects!);
                return new ReplyInfo(more, next, conformity);
        }

        return default;
    }

    /// <summary>
    /// The error for a whole frame whose content is wrong. Its bounds came from a valid MBAP header and its transaction
    /// id matched, so the stream is still aligned: only this request fails, and the connection is kept.
    /// </summary>
    private Exception Reject(in ModbusRequest request, string error)
    {
        ModbusLog.InvalidReply(_logger, _endpoint, error);
        var protocolError = new ModbusProtocolException(_endpoint, error);
        return request.IsWrite
            ? new ModbusWriteOutcomeUnknownException(_endpoint, request.UnitId, request.FunctionCode, request.Address, protocolError)
            : protocolError;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(Socket Socket, int FrameLength)> RoundTripAsync(PendingRequest slot, byte unitId, bool isWrite, int pduLength)
    {
        var token = slot.Token;
        var socket = await EnsureConnectedAsync(slot).ConfigureAwait(false);
        if (Volatile.Read(ref _strayBytes) > 0 && !HasWaiting() && !StrayBytesCouldBeLateReply())
        {
            // Bytes arrived that no request is waiting for and that do not make a frame (trailing garbage):
            // the stream is misaligned, so start this request on a fresh connection rather than fail it.
            Abort(socket, FailureKind.Transport, "stray bytes between replies", null, countFailure: false, replaced: true);
            socket = await EnsureConnectedAsync(slot).ConfigureAwait(false);
        }

        long? probeFrom = null;
        if (SuspectSince(socket) is { } frames)
        {
            if (!isWrite)
            {
                probeFrom = frames;
            }
            else if (!HasWaiting())
            {
                Abort(socket, FailureKind.Transport, "the last request timed out and nothing has arrived since: replaced before a write", null, countFailure: false, replaced: true);
                socket = await EnsureConnectedAsync(slot).ConfigureAwait(false);
            }
        }

        var frameLength = Register(slot, socket, unitId, pduLength);
        var replied = false;
        ITimer? probeTimer = null;
        try
        {
            var sent = false;
            try
            {
                await _sendLock.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    await WaitForGapAsync(token).ConfigureAwait(false);
                    TraceFrame("->", slot.Request.AsSpan(0, frameLength));
                    slot.SendStarted = true;
                    slot.Sequence = ++_sent; // under the send lock: the order the device sees
                    await SendAllAsync(socket, slot.Request.AsMemory(0, frameLength), token).ConfigureAwait(false);
                    sent = true;
                    _lastSendAt = _time.GetTimestamp();
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex)
            {
                if (slot.SendStarted && !sent)
                {
                    // Part of a frame may be on the wire: the stream is no longer aligned.
                    Abort(socket, FailureKind.Transport, "a send was interrupted", null, countFailure: false);
                }

                if (slot.TryClaim())
                {
                    throw ex switch
                    {
                        OperationCanceledException when token.IsCancellationRequested => slot.CancellationError(slot.SendStarted ? "sending" : "waiting to send"),
                        SocketException or IOException or ObjectDisposedException => new ModbusTransportException(_endpoint, "sending failed", ex),
                        _ => ex,
                    };
                }

                // Something completed the request meanwhile (its reply, a failure, the deadline): await that.
            }

            if (probeFrom is { } from && !slot.ConnectionLost)
            {
                probeTimer = StartProbe(slot, socket, from);
            }

            var length = await slot.WaitAsync().ConfigureAwait(false);
            replied = true;
            Interlocked.Exchange(ref _consecutiveTimeouts, 0);
            _failures = 0;
            TraceFrame("<-", slot.Response.AsSpan(0, length));
            return (socket, length);
        }
        catch (ModbusTimeoutException)
        {
            _metrics.Timeout();
            if (slot.SendStarted && !slot.CancelledByCaller)
            {
                MarkSuspect(socket);
            }

            if (Interlocked.Increment(ref _consecutiveTimeouts) >= _options.TimeoutsBeforeReconnect)
            {
                Interlocked.Exchange(ref _consecutiveTimeouts, 0);
                Abort(socket, FailureKind.Transport, $"the connection looks dead ({_options.TimeoutsBeforeReconnect} timeouts in a row)", null, countFailure: true);
            }
            else if (Volatile.Read(ref _strayBytes) > 0 && !HasWaiting())
            {
                // The deadline passed mid-frame (a device dripping its reply): the stream would hold up the next request.
                Abort(socket, FailureKind.Transport, "a reply was still arriving at the deadline", null, countFailure: false, replaced: true);
            }

            throw;
        }
        finally
        {
            probeTimer?.Dispose();
            Unregister(slot, socket, rememberTransaction: !replied && slot.SendStarted);
        }
    }

    /// <summary>
    /// Tells whether a request timed out on this connection with its reply outstanding, and nothing has arrived since;
    /// if so, returns the count of frames received, for the probe to see whether any arrive.
    /// </summary>
    private long? SuspectSince(Socket socket)
    {
        if (Volatile.Read(ref _suspectAtFrame) < 0)
        {
            return null; // the usual case, without the lock
        }

        lock (_lock)
        {
            return ReferenceEquals(_socket, socket) && _suspectAtFrame == _frames ? _frames : null;
        }
    }

    private void MarkSuspect(Socket socket)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_socket, socket))
            {
                _suspectAtFrame = _frames;
            }
        }
    }

    /// <summary>Starts the probe of a read sent on a suspect connection: half its deadline for anything to arrive.</summary>
    private ITimer StartProbe(PendingRequest slot, Socket socket, long frames)
    {
        var window = _options.RequestTimeout / 2;
        var probe = new Probe(this, slot, socket, slot.TransactionId, frames, window);
        return _time.CreateTimer(static p => ((Probe)p!).Expire(), probe, window, Timeout.InfiniteTimeSpan);
    }

    private void OnProbeExpired(Probe probe)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_socket, probe.Socket) || _frames != probe.Frames || !probe.Slot.IsWaiting || probe.Slot.TransactionId != probe.TransactionId)
            {
                return; // something arrived, or the request or the connection ended meanwhile
            }
        }

        Abort(
            probe.Socket,
            FailureKind.Transport,
            $"nothing arrived within {probe.Window.TotalMilliseconds:0} ms of a request sent after a timeout: the device stalled, so the connection is replaced",
            null,
            countFailure: false,
            connectionLost: true,
            replaced: true);
    }

    private int Register(PendingRequest slot, Socket socket, byte unitId, int pduLength)
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_socket, socket))
            {
                // Closed for another request's sake (its reply, a stall) between connecting and now: nothing was sent,
                // so even a write may go out on the next connection (a refused TLS handshake is not resent: see the catch).
                slot.ConnectionLost = true;
                throw _securityFailure is { } refused && ReferenceEquals(refused.Socket, socket)
                    ? new ModbusSecurityException(_endpoint, ModbusSecurityFailure.CertificateRejected, refused.Detail, refused.Error)
                    : new ModbusTransportException(_endpoint, "the connection closed before the request was sent");
            }

            var transactionId = NextTransactionId();
            slot.TransactionId = transactionId;
            slot.Sequence = long.MaxValue; // not sent yet
            var index = Array.IndexOf(_inFlight, null);
            _inFlight[index] = slot;
            slot.MarkWaiting();
            return ModbusFrame.WriteHeader(slot.Request, transactionId, unitId, pduLength);
        }
    }

    private void Unregister(PendingRequest slot, Socket socket, bool rememberTransaction)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_inFlight, slot);
            if (index >= 0)
            {
                _inFlight[index] = null;
            }

            // Transaction ids are remembered per connection: a reply can only come late on the one it was sent on.
            if (rememberTransaction && ReferenceEquals(_socket, socket))
            {
                _expired[_expiredNext] = slot.TransactionId;
                _expiredNext = (_expiredNext + 1) % ExpiredCapacity;
                _expiredCount = Math.Min(_expiredCount + 1, ExpiredCapacity);
            }
        }
    }

    /// <summary>Transaction ids run 1..65535 and skip any still in flight or recently expired.</summary>
    private ushort NextTransactionId()
    {
        while (true)
        {
            _lastTransactionId = _lastTransactionId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastTransactionId + 1);
            if (Find(_lastTransactionId) is null && !IsExpired(_lastTransactionId))
            {
                return _lastTransactionId;
            }
        }
    }

    private PendingRequest? Find(ushort transactionId)
    {
        foreach (var slot in _inFlight)
        {
            if (slot is not null && slot.TransactionId == transactionId)
            {
                return slot;
            }
        }

        return null;
    }

    private bool IsExpired(ushort transactionId)
    {
        for (var i = 0; i < _expiredCount; i++)
        {
            if (_expired[i] == transactionId)
            {
                return true;
            }
        }

        return false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Socket> EnsureConnectedAsync(PendingRequest slot)
    {
        var current = Volatile.Read(ref _socket);
        if (current is not null)
        {
            return current;
        }

        var token = slot.Token;
        try
        {
            await _connectLock.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw slot.CancellationError("waiting for the connection");
        }

        try
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    throw new ModbusTransportException(_endpoint, "the client was disposed");
                }

                if (_socket is not null)
                {
                    return _socket;
                }
            }

            var wait = _time.GetElapsedTime(_time.GetTimestamp(), _nextConnectAt);
            if (_nextConnectAt != 0 && wait > TimeSpan.Zero)
            {
                if (_downReason is not null && wait >= slot.Remaining)
                {
                    // The backoff outlasts this request's deadline: say why the device is not reachable, not "timeout".
                    throw new ModbusTransportException(_endpoint, $"{_downReason}; next connection attempt in {wait.TotalMilliseconds:0} ms", _downError);
                }

                try
                {
                    await Task.Delay(wait, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    throw slot.CancellationError($"waiting {wait.TotalMilliseconds:0} ms to reconnect after {_failures} failures");
                }
            }

            return await ConnectAsync(slot).ConfigureAwait(false);
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task<Socket> ConnectAsync(PendingRequest slot)
    {
        var token = slot.Token;
        if (_endpoint.UseTls && _options.Tls is null)
        {
            throw new ModbusSecurityException(_endpoint, ModbusSecurityFailure.NotConfigured, "the endpoint uses TLS (Modbus/TCP Security) but ModbusTcpOptions.Tls is not set");
        }

        Socket? socket = null;
        SslStream? tls = null;
        ReceiveThread? receiver = null;
        ConnectAttempt? attempt = null;
        using var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var connectToken = CancellationTokenSource.CreateLinkedTokenSource(token, connectTimeout.Token);
        try
        {
            IPAddress[] addresses = IPAddress.TryParse(_endpoint.Host, out var ip)
                ? [ip]
                : await Dns.GetHostAddressesAsync(_endpoint.Host, connectToken.Token).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            if (!_endpoint.UseTls && _options.MaxRequestsInFlight == 1 && OperatingSystem.IsLinux() && _threads is not null)
            {
                // A thread of its own connects (blocking), then receives (blocking): see ReceiveThread. Not for
                // pipelining: with a CPU to spare the engine's spinning pool threads keep 16 in flight twice as fast.
                // The thread of a connection the client replaced connects again; otherwise a new one, within the bound.
                receiver = TakeSpareReceiver();
                attempt = receiver?.TryConnect(addresses, _endpoint.Port);
                if (attempt is null)
                {
                    receiver = _threads.TryTake() ? ReceiveThread.Start(_options.RequestTimeout, _threads, $"Modbus {_endpoint}") : null;
                    attempt = receiver?.TryConnect(addresses, _endpoint.Port);
                }
            }

            if (attempt is not null)
            {
                using (connectToken.Token.UnsafeRegister(static a => ((ConnectAttempt)a!).Cancel(), attempt))
                {
                    socket = await attempt.Connected.ConfigureAwait(false);
                }
            }
            else
            {
                // Try each address the name resolves to ("localhost" may give ::1 before 127.0.0.1).
                for (var i = 0; ; i++)
                {
                    socket = new Socket(addresses[i].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(new IPEndPoint(addresses[i], _endpoint.Port), connectToken.Token).ConfigureAwait(false);
                        break;
                    }
                    catch (SocketException) when (i + 1 < addresses.Length)
                    {
                        socket.Dispose();
                    }
                }
            }

            if (_endpoint.UseTls)
            {
                tls = await _options.Tls!.Resolve().AuthenticateAsync(socket, _endpoint, _time, connectToken.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ArgumentException or ModbusSecurityException or ObjectDisposedException)
        {
            socket?.Dispose();
            attempt?.Abandon(); // the thread ends: the device is not reachable, the next connect may be long in coming
            receiver?.Retire();
            var backoff = Backoff(++_failures);
            _nextConnectAt = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
            _downReason = ex is OperationCanceledException ? $"connecting timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms" : $"could not connect: {ex.Message}";
            _downError = ex is OperationCanceledException ? null : ex;
            if (_outageAttempts++ == 0)
            {
                _outageStartedAt = _time.GetTimestamp();
                ModbusLog.OutageStarted(_logger, _endpoint, _downReason);
            }

            ModbusLog.ConnectFailed(_logger, _endpoint, _outageAttempts, _downReason, backoff);
            if (token.IsCancellationRequested)
            {
                throw slot.CancellationError("connecting");
            }

            throw ex is ModbusSecurityException ? ex
                : ex is OperationCanceledException
                ? new ModbusTimeoutException(_endpoint, _options.ConnectTimeout, _endpoint.UseTls ? "connecting (TCP and TLS handshake)" : "connecting")
                : new ModbusTransportException(_endpoint, $"could not connect: {ex.Message}", ex);
        }

        lock (_lock)
        {
            if (_disposed)
            {
                tls?.Dispose();
                socket.Dispose();
                attempt?.Abandon();
                receiver?.Retire();
                throw new ModbusTransportException(_endpoint, "the client was disposed");
            }

            _socket = socket;
            _tls = tls;
            _receiver = attempt is null ? null : receiver;
            _readyAt = _time.GetTimestamp() + (long)(_options.ConnectDelay.TotalSeconds * _time.TimestampFrequency);
        }

        // The thread waits for this before it reads: hand it over first, so that nothing below can leave it waiting.
        attempt?.Run(ReceiveLoop);

        _metrics.Connected();
        ModbusLog.Connected(_logger, _endpoint);
        _downReason = null;
        _downError = null;
        if (_outageAttempts > 0)
        {
            var outage = _time.GetElapsedTime(_outageStartedAt);
            ModbusLog.OutageEnded(_logger, _endpoint, outage, _outageAttempts);
            _outageAttempts = 0;
        }

        if (attempt is null)
        {
            _ = ReceiveLoopAsync(socket, tls);
        }

        return socket;
    }

    private ReceiveThread? TakeSpareReceiver()
    {
        lock (_lock)
        {
            var spare = _spareReceiver;
            _spareReceiver = null;
            return spare;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 20));
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    private async ValueTask WaitForGapAsync(CancellationToken token)
    {
        var due = Math.Max(_readyAt, _lastSendAt + (long)(_options.MinimumRequestGap.TotalSeconds * _time.TimestampFrequency));
        var now = _time.GetTimestamp();
        if (due > now && (_options.MinimumRequestGap > TimeSpan.Zero || _options.ConnectDelay > TimeSpan.Zero))
        {
            await Task.Delay(_time.GetElapsedTime(now, due), _time, token).ConfigureAwait(false);
        }
    }

    private async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> frame, CancellationToken token)
    {
        if (_endpoint.UseTls)
        {
            await TlsOf(socket).WriteAsync(frame, token).ConfigureAwait(false);
            return;
        }

        if (socket is BlockingSocket)
        {
            // No async call may touch this socket (see BlockingSocket). A blocking send of a few bytes returns at once
            // unless the device stopped reading long enough to fill the buffers; then the socket's send timeout ends it.
            while (!frame.IsEmpty)
            {
                frame = frame[socket.Send(frame.Span, SocketFlags.None)..];
            }

            return;
        }

        while (!frame.IsEmpty)
        {
            var sent = await socket.SendAsync(frame, SocketFlags.None, token).ConfigureAwait(false);
            frame = frame[sent..];
        }
    }

    /// <summary>
    /// A TLS connection ended before its first reply. With TLS 1.3 the server checks the client's certificate after the
    /// client's side of the handshake has completed, so this is how a refused certificate shows: report it as such.
    /// </summary>
    private void RefusedAfterHandshake(Socket socket, Exception? error)
    {
        var detail = error is null
            ? "the server closed the connection before its first reply: it most likely refused the client's certificate"
            : ModbusTlsClient.Classify(error) is { Failure: ModbusSecurityFailure.CertificateRejected } refused
                ? refused.Detail
                : $"the connection failed before the server's first reply: it most likely refused the client's certificate ({error.Message})";
        var security = new ModbusSecurityException(_endpoint, ModbusSecurityFailure.CertificateRejected, detail, error);
        lock (_lock)
        {
            if (ReferenceEquals(_socket, socket))
            {
                _securityFailure = (socket, detail, error);
            }
        }

        Abort(socket, FailureKind.Security, detail, security, countFailure: HasWaiting());
    }

    /// <summary>
    /// A plain TCP connection to port 802, the Modbus/TCP Security port, that the device closed or reset before its first
    /// reply while a request waited: a TLS server (OpenSSL's, pymodbus's) drops a client that does not start a handshake
    /// without a word, so this is how "plain TCP to a TLS port" shows. Reported as <see cref="ModbusSecurityFailure.NotTls"/>
    /// (never retried) rather than as a closed connection; returns false, and reports nothing, for any other case.
    /// </summary>
    private bool ClosedOnTheSecurePort(Socket socket, SocketException? error)
    {
        if (_endpoint.UseTls || _endpoint.Port != ModbusEndpoint.DefaultSecurePort || !HasWaiting()
            || error is not null && error.SocketErrorCode is not (SocketError.ConnectionReset or SocketError.ConnectionAborted))
        {
            return false;
        }

        const string notTls = "the device on port 802, the Modbus/TCP Security port, closed the connection without answering: it most likely expects TLS (set UseTls on the endpoint, or write it mbaps://)";
        Abort(socket, FailureKind.Security, notTls, new ModbusSecurityException(_endpoint, ModbusSecurityFailure.NotTls, notTls, error), countFailure: true);
        return true;
    }

    /// <summary>The TLS stream of a connection that is still the current one.</summary>
    private SslStream TlsOf(Socket socket)
    {
        lock (_lock)
        {
            return ReferenceEquals(_socket, socket) && _tls is not null ? _tls : throw new ObjectDisposedException(nameof(SslStream));
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, SslStream? tls)
    {
        // Room for several frames: after each pass at most one incomplete frame (< 260 bytes) stays behind.
        var buffer = new byte[8 * ModbusFrame.MaxFrameLength];
        var filled = 0;
        var replied = false;
        try
        {
            while (true)
            {
                var received = tls is null
                    ? await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false)
                    : await tls.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                if (!Consume(socket, tls is not null, buffer, ref filled, received, ref replied))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (tls is not null && !replied && ex is System.Security.Authentication.AuthenticationException or IOException)
        {
            RefusedAfterHandshake(socket, ex);
        }
        catch (SocketException ex) when (tls is null && !replied && ClosedOnTheSecurePort(socket, ex))
        {
            // Reported as a plain TCP client talking to a TLS port.
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or System.Security.Authentication.AuthenticationException)
        {
            Abort(socket, FailureKind.Transport, $"the connection failed: {ex.Message}", ex, countFailure: HasWaiting());
        }
        finally
        {
            tls?.Dispose();
        }
    }

    /// <summary>The receive loop of a <see cref="BlockingSocket"/>, on its own thread (<see cref="ReceiveThread"/>).</summary>
    private void ReceiveLoop(BlockingSocket socket)
    {
        var buffer = new byte[8 * ModbusFrame.MaxFrameLength];
        var filled = 0;
        var replied = false;
        try
        {
            while (Consume(socket, tls: false, buffer, ref filled, socket.Receive(buffer.AsSpan(filled), SocketFlags.None), ref replied))
            {
            }
        }
        catch (SocketException ex) when (!replied && ClosedOnTheSecurePort(socket, ex))
        {
            // Reported as a plain TCP client talking to a TLS port.
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Abort(socket, FailureKind.Transport, $"the connection failed: {ex.Message}", ex, countFailure: HasWaiting());
        }
#pragma warning disable CA1031 // Nothing may escape a thread: whatever it was, the connection goes and its requests fail.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ModbusLog.ProtocolError(_logger, _endpoint, $"the receive loop failed: {ex.Message}");
            Abort(socket, FailureKind.Transport, $"the receive loop failed: {ex.Message}", ex, countFailure: false);
        }
    }

    /// <summary>Takes what one receive call read: hands over every whole frame. Returns false when the connection is done.</summary>
    private bool Consume(Socket socket, bool tls, byte[] buffer, ref int filled, int received, ref bool replied)
    {
        if (received == 0 && tls && !replied)
        {
            RefusedAfterHandshake(socket, null);
            return false;
        }

        if (received == 0)
        {
            if (!tls && !replied && ClosedOnTheSecurePort(socket, null))
            {
                return false;
            }

            Abort(socket, FailureKind.Transport, "the device closed the connection", null, countFailure: HasWaiting());
            return false;
        }

        filled += received;
        var offset = 0;
        while (true)
        {
            var status = ModbusFrame.TryRead(buffer.AsSpan(offset, filled - offset), out var header, out var frameLength, out var error);
            if (status == FrameStatus.NeedMoreData)
            {
                break;
            }

            if (status == FrameStatus.Invalid && !tls && ModbusTls.LooksLikeTlsRecord(buffer.AsSpan(offset, filled - offset)))
            {
                const string notTls = "the device answered with TLS: it speaks Modbus/TCP Security on this port (set UseTls on the endpoint)";
                Abort(socket, FailureKind.Security, notTls, new ModbusSecurityException(_endpoint, ModbusSecurityFailure.NotTls, notTls), countFailure: true);
                return false;
            }

            var trailing = buffer.AsSpan(offset + frameLength, filled - offset - frameLength);
            if (status == FrameStatus.Invalid || !Dispatch(socket, header, buffer.AsSpan(offset, frameLength), trailing, out error))
            {
                // The stream cannot be trusted past here, nor the transaction id in it (garbage can look like any
                // id). The oldest request sent gets the error, as most devices answer in order; the others lost
                // their connection because of it.
                // A device that sends garbage is up and accepting connections: reconnect at once, no backoff (each
                // reconnection is paid for by a request, so there is no storm to hold back).
                ModbusLog.ProtocolError(_logger, _endpoint, error!);
                Abort(socket, FailureKind.Protocol, error!, null, countFailure: false, blameOldest: true, replaced: true);
                return false;
            }

            if (!ReferenceEquals(Volatile.Read(ref _socket), socket))
            {
                return false; // dispatching closed this connection (bytes after the last awaited reply)
            }

            offset += frameLength;
            replied = true;
        }

        if (offset > 0)
        {
            buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
            filled -= offset;
        }

        lock (_lock)
        {
            if (ReferenceEquals(_socket, socket))
            {
                _strayBytes = filled;
                _strayPrefixLength = Math.Min(filled, _strayPrefix.Length);
                buffer.AsSpan(0, _strayPrefixLength).CopyTo(_strayPrefix);
            }
        }

        return true;
    }

    /// <summary>
    /// Hands a reply to its request. Returns false for a reply that belongs to no request, past or present. Bytes
    /// after a reply that no other request is waiting for are garbage: the connection is closed before the reply is
    /// handed over, so that whatever the caller sends next goes out on a fresh connection.
    /// </summary>
    private bool Dispatch(Socket socket, MbapHeader header, ReadOnlySpan<byte> frame, ReadOnlySpan<byte> trailing, out string? error)
    {
        error = null;
        PendingRequest? slot;
        bool late;
        bool garbageFollows;
        lock (_lock)
        {
            if (!ReferenceEquals(_socket, socket))
            {
                return true; // this connection is already being torn down
            }

            _frames++; // anything that arrives shows the device is not stalled

            // Claim under the lock: the request cannot end and be reused for another transaction meanwhile.
            slot = Find(header.TransactionId);
            late = slot is null ? IsExpired(header.TransactionId) : !slot.TryClaim();

            // What follows this frame is what the caller's next request would find on the stream.
            _strayBytes = trailing.Length;
            _strayPrefixLength = Math.Min(trailing.Length, _strayPrefix.Length);
            trailing[.._strayPrefixLength].CopyTo(_strayPrefix);
            garbageFollows = !trailing.IsEmpty && !Array.Exists(_inFlight, s => s is not null && s.IsWaiting) && !CouldBeOurs(trailing);
        }

        if (garbageFollows)
        {
            Abort(socket, FailureKind.Transport, "stray bytes after a reply", null, countFailure: false, replaced: true);
        }

        if (slot is not null && !late)
        {
            // Completing runs the caller's continuation inline: no lock may be held here.
            slot.Complete(frame);
            return true;
        }

        if (late)
        {
            LateReplies++;
            _metrics.LateReply();
            ModbusLog.LateReplyDiscarded(_logger, _endpoint, header.TransactionId);
            return true;
        }

        error = $"transaction id {header.TransactionId} matches no request sent on this connection";
        return false;
    }

    /// <summary>Tells whether bytes can start a reply to a request of ours, current or expired (caller holds the lock).</summary>
    private bool CouldBeOurs(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            return true; // too few to tell; the check before the next send decides
        }

        var transactionId = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes);
        var protocolOk = bytes.Length < 4 || (bytes[2] == 0 && bytes[3] == 0);
        return protocolOk && (Find(transactionId) is not null || IsExpired(transactionId));
    }

    private bool StrayBytesCouldBeLateReply()
    {
        lock (_lock)
        {
            return _strayPrefixLength >= 2 && CouldBeOurs(_strayPrefix.AsSpan(0, _strayPrefixLength));
        }
    }

    private bool HasWaiting()
    {
        lock (_lock)
        {
            return Array.Exists(_inFlight, s => s is not null && s.IsWaiting);
        }
    }

    /// <summary>Closes a connection (if it is still the current one) and fails every request waiting on it.</summary>
    /// <param name="socket">The connection.</param>
    /// <param name="kind">How the requests are failed.</param>
    /// <param name="reason">Why, for the log and the requests' errors.</param>
    /// <param name="inner">The error behind it, if any.</param>
    /// <param name="countFailure">Whether the next connection waits a backoff.</param>
    /// <param name="connectionLost">Whether every waiting request lost its connection for another's sake (reads are sent again).</param>
    /// <param name="blameOldest">
    /// Whether an unreadable reply closes the connection: the oldest request sent gets the protocol error (most devices
    /// answer in order), the others lost their connection because of it.
    /// </param>
    /// <param name="replaced">
    /// Whether the client replaces a connection to a device that is up (garbage, stray bytes, a stall): the next request
    /// reconnects at once, so the connection's receive thread is kept for it. Otherwise the thread ends.
    /// </param>
    private void Abort(Socket socket, FailureKind kind, string reason, Exception? inner, bool countFailure, bool connectionLost = false, bool blameOldest = false, bool replaced = false)
    {
        PendingRequest[] waiting;
        ReceiveThread? retired;
        lock (_lock)
        {
            if (!ReferenceEquals(_socket, socket))
            {
                socket.Dispose();
                return;
            }

            _socket = null;
            _tls = null;
            retired = _receiver;
            _receiver = null;
            if (replaced && !countFailure && !_disposed && _spareReceiver is null)
            {
                _spareReceiver = retired;
                retired = null;
            }

            _strayBytes = 0;
            _strayPrefixLength = 0;
            waiting = [.. _inFlight.Where(s => s is not null && s.TryClaim())!];
            _expiredCount = 0;
            _expiredNext = 0;
            _suspectAtFrame = -1;
            if (countFailure)
            {
                var backoff = Backoff(++_failures);
                _nextConnectAt = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
                _downReason = $"the connection was closed: {reason}";
                _downError = inner;
            }
        }

        ModbusLog.ConnectionClosed(_logger, _endpoint, reason);
        retired?.Retire();
        socket.Dispose();
        var owner = blameOldest ? waiting.MinBy(s => s.Sequence) : null;
        foreach (var slot in waiting)
        {
            if (kind != FailureKind.Security && (connectionLost || (blameOldest && slot != owner)))
            {
                slot.ConnectionLost = true;
                slot.Fail(new ModbusTransportException(
                    _endpoint,
                    connectionLost ? reason : "the request lost its connection because of another request's reply, which could not be read; the connection was replaced",
                    connectionLost ? inner : null));
                continue;
            }

            slot.Fail(kind switch
            {
                FailureKind.Protocol => new ModbusProtocolException(_endpoint, reason),
                FailureKind.Security when inner is ModbusSecurityException security => new ModbusSecurityException(_endpoint, security.Failure, reason, security.InnerException),
                _ => new ModbusTransportException(_endpoint, reason, inner),
            });
        }
    }

    private PendingRequest Rent()
    {
        lock (_lock)
        {
            return _free.TryPop(out var slot) ? slot : new PendingRequest(_time);
        }
    }

    private void Return(PendingRequest slot)
    {
        lock (_lock)
        {
            _free.Push(slot);
        }
    }

    /// <summary>A read sent on a suspect connection, and what the connection had received when it went out.</summary>
    private sealed record Probe(ModbusConnection Connection, PendingRequest Slot, Socket Socket, ushort TransactionId, long Frames, TimeSpan Window)
    {
        public void Expire() => Connection.OnProbeExpired(this);
    }

    private void TraceFrame(string direction, ReadOnlySpan<byte> frame)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
#pragma warning disable CA1873 // Guarded by IsEnabled: the hex text is only made when frames are traced.
            ModbusLog.Frame(_logger, direction, _endpoint, Convert.ToHexString(frame));
#pragma warning restore CA1873
        }
    }
}
