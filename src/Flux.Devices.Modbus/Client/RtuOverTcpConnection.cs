using System.Net.Sockets;
using Flux.Devices.Modbus.Diagnostics;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Modbus.Client;

/// <summary>
/// The connection to one RTU-over-TCP endpoint (a transparent serial gateway): RTU frames (unit id, PDU, CRC-16) on a
/// TCP connection. RTU has no transaction id, so requests take turns, one in flight; a reply is framed by the length
/// its function code implies, and its CRC, unit id, function code, byte count and echoes are checked before use.
/// </summary>
/// <remarks>
/// <para>Recovery, since a reply cannot be told apart from a late reply to an earlier request:</para>
/// <list type="bullet">
/// <item>A bad CRC, or bytes that cannot be framed, fail the request with <see cref="ModbusProtocolException"/>; before the
/// next request the stream is re-synchronised: input is discarded until the line has been quiet for the silent interval
/// (at least 20 ms). Bytes found behind a reply, or waiting before a request is sent, are discarded the same way.</item>
/// <item>A well-framed reply with the wrong unit, function or byte count fails its request; the stream stays aligned.</item>
/// <item>A request that ends without its reply (our deadline, a partial frame followed by silence, the caller's
/// cancellation) closes the connection: its reply may still come, and on a new connection it cannot be taken for the
/// next request's.</item>
/// </list>
/// <para>Requests wait for <see cref="ModbusTcpOptions.RtuSilentInterval"/> after the previous exchange, and
/// <see cref="ModbusTcpOptions.MinimumRequestGap"/> after the previous send.</para>
/// </remarks>
internal sealed class RtuOverTcpConnection : IDisposable
{
    private static readonly TimeSpan MinimumQuiet = TimeSpan.FromMilliseconds(20);

    private readonly ModbusEndpoint _endpoint;
    private readonly ModbusTcpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ModbusMetrics _metrics;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _lock = new();
    private readonly byte[] _request = new byte[RtuFrame.MaxFrameLength];
    private readonly byte[] _reply = new byte[2 * RtuFrame.MaxFrameLength];
    private Socket? _socket;
    private bool _resync;
    private int _filled;
    private int _expected;
    private long _lastActivityAt;
    private long _lastSendAt;
    private int _failures;
    private int _outageAttempts;
    private long _outageStartedAt;
    private string _lastFailure = string.Empty;
    private long _nextConnectAt;
    private bool _disposed;

    public RtuOverTcpConnection(ModbusEndpoint endpoint, ModbusTcpOptions options, TimeProvider time, ILogger logger, ModbusMetrics metrics)
    {
        _endpoint = endpoint;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Sends one request and reads its reply into <paramref name="target"/>: one attempt, with its own deadline.</summary>
    public async ValueTask<ReplyInfo> ExecuteAsync(ModbusRequest request, ReplyTarget target, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        using var deadline = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        var token = deadline.Token;
        var started = _time.GetTimestamp();
        var stage = "connecting";
        var streamTouched = false;
        var sendStarted = false;
        Socket? socket = null;
        try
        {
            if (ReconnectWait() is { Ticks: > 0 } wait)
            {
                // The device refused or failed lately: say so now rather than spend the deadline waiting and call it a timeout.
                if (wait >= _options.RequestTimeout - _time.GetElapsedTime(started))
                {
                    throw new ModbusTransportException(_endpoint, $"{Failures(_failures)} in a row (last: {_lastFailure}); the next connection attempt is in {wait.TotalMilliseconds:0} ms, after this request's deadline");
                }

                stage = $"waiting {wait.TotalMilliseconds:0} ms to reconnect after {Failures(_failures)} (last: {_lastFailure})";
                await Task.Delay(wait, _time, token).ConfigureAwait(false);
                stage = "connecting";
            }

            socket = await EnsureConnectedAsync(token).ConfigureAwait(false);
            if (_resync || socket.Available > 0)
            {
                stage = "discarding input to re-synchronise the stream";
                streamTouched = true;
                await ResyncAsync(socket, token).ConfigureAwait(false);
            }

            stage = "waiting for the silent interval";
            await WaitForTurnAsync(token).ConfigureAwait(false);
            var length = RtuFrame.Write(_request, request.UnitId, request.WritePdu(_request.AsSpan(RtuFrame.HeaderLength)));
            TraceFrame("->", _request.AsSpan(0, length));
            stage = "sending";
            streamTouched = sendStarted = true;
            await SendAllAsync(socket, _request.AsMemory(0, length), token).ConfigureAwait(false);
            _lastSendAt = _lastActivityAt = _time.GetTimestamp();
            stage = "waiting for the reply";
            var frameLength = await ReceiveReplyAsync(socket, token).ConfigureAwait(false);
            _failures = 0;
            _nextConnectAt = 0;
            TraceFrame("<-", _reply.AsSpan(0, frameLength));
            return Decode(request, target, _reply.AsSpan(0, frameLength));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (socket is not null && streamTouched)
            {
                Close(socket, $"a request ended while {stage}; its reply must not be taken for the next request's", countFailure: false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            _metrics.Timeout();
            var progress = _filled > 0 ? $", {_filled} of {(_expected > 0 ? _expected.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")} bytes of the reply received" : string.Empty;
            throw Outcome(request, sendStarted, new ModbusTimeoutException(_endpoint, _options.RequestTimeout, stage + progress));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            if (socket is not null)
            {
                Close(socket, $"{stage} failed: {ex.Message}", countFailure: true);
            }

            throw Outcome(request, sendStarted, new ModbusTransportException(_endpoint, $"{stage} failed: {ex.Message}", ex));
        }
        catch (Exception ex) when (ex is ModbusTransportException or ModbusProtocolException && request.IsWrite && sendStarted)
        {
            throw Outcome(request, sendStarted, ex);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Closes the socket; a request in flight fails with <see cref="ModbusTransportException"/>.</summary>
    public void Dispose()
    {
        Socket? socket;
        lock (_lock)
        {
            _disposed = true;
            socket = _socket;
            _socket = null;
        }

        socket?.Dispose();
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> frame, CancellationToken token)
    {
        while (!frame.IsEmpty)
        {
            var sent = await socket.SendAsync(frame, SocketFlags.None, token).ConfigureAwait(false);
            frame = frame[sent..];
        }
    }

    /// <summary>A write that may have reached the device, but was not confirmed, has an unknown outcome.</summary>
    private Exception Outcome(in ModbusRequest request, bool sendStarted, Exception error) =>
        request.IsWrite && sendStarted && error is ModbusTimeoutException or ModbusTransportException or ModbusProtocolException
            ? new ModbusWriteOutcomeUnknownException(_endpoint, request.UnitId, request.FunctionCode, request.Address, error)
            : error;

    private ReplyInfo Decode(in ModbusRequest request, ReplyTarget target, ReadOnlySpan<byte> frame)
    {
        if (_options.StrictUnitId && frame[0] != request.UnitId)
        {
            throw Rejected($"unit id {frame[0]} in reply to unit id {request.UnitId}");
        }

        var pdu = frame[RtuFrame.HeaderLength..^RtuFrame.CrcLength];
        switch (ModbusReply.Check(request, pdu, out var code, out var error))
        {
            case ReplyKind.Exception:
                _metrics.ExceptionReply((ModbusExceptionCode)code);
                throw new ModbusException(_endpoint, request.UnitId, request.FunctionCode, (ModbusExceptionCode)code);
            case ReplyKind.Invalid:
                throw Rejected(error!);
        }

        return ReplyDecoder.Fill(request, target, pdu);
    }

    private ModbusProtocolException Rejected(string error)
    {
        // The frame's CRC was right, so its boundaries are too: the stream stays aligned and the connection open.
        ModbusLog.ReplyRejected(_logger, _endpoint, error);
        return new ModbusProtocolException(_endpoint, error);
    }

    /// <summary>Reads one reply frame into the start of the reply buffer; returns its length.</summary>
    private async ValueTask<int> ReceiveReplyAsync(Socket socket, CancellationToken token)
    {
        _filled = 0;
        _expected = 0;
        while (true)
        {
            var status = RtuFrame.MeasureReply(_reply.AsSpan(0, _filled), out var length, out var error);
            _expected = length;
            if (status == FrameStatus.Complete)
            {
                if (!RtuFrame.CheckCrc(_reply.AsSpan(0, length), out error))
                {
                    throw FramingLost(error!);
                }

                if (_filled > length)
                {
                    _resync = true; // bytes behind the reply: no request of ours asked for them
                }

                return length;
            }

            if (status == FrameStatus.Invalid)
            {
                throw FramingLost(error!);
            }

            var received = await socket.ReceiveAsync(_reply.AsMemory(_filled), SocketFlags.None, token).ConfigureAwait(false);
            if (received == 0)
            {
                var reason = _filled == 0 ? "the device closed the connection" : $"the device closed the connection after {_filled} bytes of the reply";
                Close(socket, reason, countFailure: true);
                throw new ModbusTransportException(_endpoint, reason);
            }

            _filled += received;
            _lastActivityAt = _time.GetTimestamp();
        }
    }

    private ModbusProtocolException FramingLost(string error)
    {
        _resync = true;
        ModbusLog.RtuFrameError(_logger, _endpoint, error);
        return new ModbusProtocolException(_endpoint, $"{error} (RTU framing; the stream is re-synchronised before the next request)");
    }

    /// <summary>Discards input until none has come for the silent interval (at least 20 ms), counted from the last byte seen.</summary>
    private async ValueTask ResyncAsync(Socket socket, CancellationToken token)
    {
        var quiet = _options.RtuSilentInterval > MinimumQuiet ? _options.RtuSilentInterval : MinimumQuiet;
        var discarded = Math.Max(0, _filled - _expected);
        while (true)
        {
            if (socket.Available > 0)
            {
                var received = await socket.ReceiveAsync(_reply, SocketFlags.None, token).ConfigureAwait(false);
                if (received == 0)
                {
                    throw new IOException("the device closed the connection");
                }

                discarded += received;
                _lastActivityAt = _time.GetTimestamp();
                continue;
            }

            var left = quiet - _time.GetElapsedTime(_lastActivityAt);
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            await Task.Delay(left, _time, token).ConfigureAwait(false);
        }

        _resync = false;
        _filled = _expected = 0;
        if (discarded > 0)
        {
            ModbusLog.RtuBytesDiscarded(_logger, _endpoint, discarded);
        }
    }

    private async ValueTask WaitForTurnAsync(CancellationToken token)
    {
        var frequency = _time.TimestampFrequency;
        var due = Math.Max(
            _lastActivityAt + (long)(_options.RtuSilentInterval.TotalSeconds * frequency),
            _lastSendAt + (long)(_options.MinimumRequestGap.TotalSeconds * frequency));
        var now = _time.GetTimestamp();
        if (due > now)
        {
            await Task.Delay(_time.GetElapsedTime(now, due), _time, token).ConfigureAwait(false);
        }
    }

    private async ValueTask<Socket> EnsureConnectedAsync(CancellationToken token)
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

        Socket socket;
        try
        {
            socket = await TcpConnector.ConnectAsync(_endpoint, _options.ConnectTimeout, _time, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ArgumentException)
        {
            var backoff = Backoff(++_failures);
            _nextConnectAt = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
            _lastFailure = ex is OperationCanceledException ? "connect timed out" : ex.Message;
            if (_outageAttempts++ == 0)
            {
                // An outage is logged once as it starts and once as it ends; each attempt only at Debug.
                _outageStartedAt = _time.GetTimestamp();
                ModbusLog.OutageStarted(_logger, _endpoint, _lastFailure);
            }

            ModbusLog.ConnectFailed(_logger, _endpoint, _outageAttempts, _lastFailure, backoff);
            token.ThrowIfCancellationRequested();
            throw ex is OperationCanceledException
                ? new ModbusTimeoutException(_endpoint, _options.ConnectTimeout, "connecting")
                : new ModbusTransportException(_endpoint, $"could not connect: {ex.Message}", ex);
        }

        lock (_lock)
        {
            if (_disposed)
            {
                socket.Dispose();
                throw new ModbusTransportException(_endpoint, "the client was disposed");
            }

            _socket = socket;
            _resync = false;
            _filled = _expected = 0;
        }

        _metrics.Connected();
        ModbusLog.Connected(_logger, _endpoint);
        if (_outageAttempts > 0)
        {
            var outage = _time.GetElapsedTime(_outageStartedAt);
            ModbusLog.OutageEnded(_logger, _endpoint, outage, _outageAttempts);
            _outageAttempts = 0;
        }

        _lastActivityAt = _time.GetTimestamp();
        if (_options.ConnectDelay > TimeSpan.Zero)
        {
            await Task.Delay(_options.ConnectDelay, _time, token).ConfigureAwait(false);
        }

        return socket;
    }

    private static string Failures(int count) => count == 1 ? "1 failure" : $"{count} failures";

    /// <summary>How long until the next connection attempt may be made: zero while connected, or when no failure asks for a wait.</summary>
    private TimeSpan ReconnectWait()
    {
        lock (_lock)
        {
            return _socket is not null || _nextConnectAt == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_time.GetTimestamp(), _nextConnectAt);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(failures - 1, 20));
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    private void Close(Socket socket, string reason, bool countFailure)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_socket, socket))
            {
                _socket = null;
                _resync = false;
                if (countFailure)
                {
                    _lastFailure = reason;
                    var backoff = Backoff(++_failures);
                    _nextConnectAt = _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
                }
            }
        }

        ModbusLog.ConnectionClosed(_logger, _endpoint, reason);
        socket.Dispose();
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
