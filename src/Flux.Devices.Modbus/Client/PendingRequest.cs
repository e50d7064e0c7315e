using System.Threading.Tasks.Sources;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Client;

/// <summary>
/// One in-flight request of a connection, reused from request to request so that the steady state allocates
/// nothing: its frame buffers, its deadline, and the awaitable its caller waits on. Exactly one of the reply, the
/// deadline, the caller's cancellation or a connection failure completes it (a compare-and-set on its state).
/// </summary>
internal sealed class PendingRequest : IValueTaskSource<int>, IDisposable
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Done = 2;

    private readonly TimeProvider _time;
    private ManualResetValueTaskSourceCore<int> _core; // completes inline: no thread hop between reply and caller
    private CancellationTokenSource _deadline;
    private CancellationTokenRegistration _deadlineRegistration;
    private CancellationTokenRegistration _callerRegistration;
    private CancellationToken _callerToken;
    private ModbusEndpoint _endpoint;
    private TimeSpan _timeout;
    private long _startedAt;
    private int _state;
    private volatile bool _cancelledByCaller;

    public PendingRequest(TimeProvider time)
    {
        _time = time;
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>Gets the request frame (MBAP header and PDU).</summary>
    public byte[] Request { get; } = new byte[ModbusFrame.MaxFrameLength];

    /// <summary>Gets the reply frame, once the reply completed the request.</summary>
    public byte[] Response { get; } = new byte[ModbusFrame.MaxFrameLength];

    public int RequestLength { get; set; }

    public ushort TransactionId { get; set; }

    /// <summary>Gets or sets the order in which the request was sent on its connection (oldest first; <see cref="long.MaxValue"/> until sent).</summary>
    public long Sequence { get; set; }

    /// <summary>Gets or sets a value indicating whether any byte of the request may have reached the device.</summary>
    public bool SendStarted { get; set; }

    /// <summary>Gets the token that ends the attempt: our deadline, or the caller's cancellation.</summary>
    public CancellationToken Token => _deadline.Token;

    public bool CancelledByCaller => _cancelledByCaller;

    /// <summary>
    /// Gets or sets a value indicating whether the request failed only because its connection was replaced for
    /// another request's sake (a stalled connection, another request's unreadable reply): a read may then be sent
    /// again on the new connection within its own deadline.
    /// </summary>
    public bool ConnectionLost { get; set; }

    /// <summary>Gets what is left of the attempt's deadline.</summary>
    public TimeSpan Remaining => _timeout - _time.GetElapsedTime(_startedAt);

    /// <summary>Starts an attempt: arms the deadline and listens to the caller's token.</summary>
    public void Start(ModbusEndpoint endpoint, TimeSpan timeout, CancellationToken callerToken)
    {
        _core.Reset();
        _state = Idle;
        _cancelledByCaller = false;
        SendStarted = false;
        ConnectionLost = false;
        _endpoint = endpoint;
        _timeout = timeout;
        _startedAt = _time.GetTimestamp();
        _callerToken = callerToken;
        _deadline.CancelAfter(timeout);
        _deadlineRegistration = _deadline.Token.UnsafeRegister(static s => ((PendingRequest)s!).OnDeadline(), this);
        if (callerToken.CanBeCanceled)
        {
            _callerRegistration = callerToken.UnsafeRegister(static s => ((PendingRequest)s!).OnCallerCancelled(), this);
        }
    }

    /// <summary>Makes a request that failed with <see cref="ConnectionLost"/> ready to be sent again, its deadline still running.</summary>
    public void Rearm()
    {
        _core.Reset();
        Volatile.Write(ref _state, Idle);
        SendStarted = false;
        ConnectionLost = false;
    }

    /// <summary>Marks the request as waiting for its reply (done before sending, so a fast reply finds it).</summary>
    public void MarkWaiting()
    {
        Volatile.Write(ref _state, Waiting);

        // A deadline that passed while the request was not yet waiting found nothing to fail: fail it now.
        if (_deadline.IsCancellationRequested)
        {
            OnDeadline();
        }
    }

    public bool IsWaiting => Volatile.Read(ref _state) == Waiting;

    /// <summary>
    /// Claims the right to complete a waiting request; nothing else can complete it, and it cannot be reused,
    /// until the claimant calls <see cref="Complete"/> or <see cref="Fail"/>. The connection claims under its lock,
    /// where it also checks the transaction id, so that a reply can never reach a request it was not for.
    /// </summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Done, Waiting) == Waiting;

    /// <summary>Completes a claimed request with its reply frame (running the caller's continuation inline).</summary>
    public void Complete(ReadOnlySpan<byte> frame)
    {
        frame.CopyTo(Response);
        _core.SetResult(frame.Length);
    }

    /// <summary>Fails a claimed request.</summary>
    public void Fail(Exception error) => _core.SetException(error);

    /// <summary>Fails the request, unless something else completed it first.</summary>
    public bool TryFail(Exception error)
    {
        if (!TryClaim())
        {
            return false;
        }

        Fail(error);
        return true;
    }

    /// <summary>Gets the awaitable for the reply.</summary>
    public ValueTask<int> WaitAsync() => new(this, _core.Version);

    /// <summary>Turns a cancellation of <see cref="Token"/> into the caller's cancellation or our timeout.</summary>
    public Exception CancellationError(string stage) =>
        _cancelledByCaller ? new OperationCanceledException(_callerToken) : new ModbusTimeoutException(_endpoint, _timeout, stage);

    /// <summary>Ends the attempt: stops listening (waiting for a callback already running) and re-arms for the next one.</summary>
    public void Finish()
    {
        _deadlineRegistration.Dispose();
        _callerRegistration.Dispose();
        _callerRegistration = default;
        if (!_deadline.TryReset())
        {
            _deadline.Dispose();
            _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        }

        _state = Idle;
    }

    public void Dispose() => _deadline.Dispose();

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void OnDeadline() => TryFail(CancellationError("waiting for the reply"));

    private void OnCallerCancelled()
    {
        _cancelledByCaller = true;
        _deadline.Cancel(); // runs OnDeadline, which now reports the caller's cancellation
    }
}
