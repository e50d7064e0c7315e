using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Server;

/// <summary>
/// Misbehaviour a simulated unit can be told to show, for tests of a client's error paths. Settings take effect
/// from the next request and may be changed while the server runs.
/// </summary>
public sealed class ModbusFaults
{
    private long _responseDelayTicks;
    private volatile bool _stall;
    private volatile bool _closeMidFrame;
    private volatile bool _wrongTransactionId;
    private volatile bool _garbage;
    private volatile bool _wrongUnitId;
    private int _exceptionCode = -1;

    /// <summary>Gets or sets how long the unit waits before it answers.</summary>
    /// <value>The default value is 0.</value>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _responseDelayTicks));
        set => Interlocked.Exchange(ref _responseDelayTicks, value.Ticks);
    }

    /// <summary>Gets or sets a value indicating whether the unit never answers (the connection stays open).</summary>
    public bool Stall
    {
        get => _stall;
        set => _stall = value;
    }

    /// <summary>Gets or sets a value indicating whether the unit sends half of its reply and then closes the connection.</summary>
    public bool CloseMidFrame
    {
        get => _closeMidFrame;
        set => _closeMidFrame = value;
    }

    /// <summary>Gets or sets a value indicating whether the unit answers with a transaction id no request used.</summary>
    public bool WrongTransactionId
    {
        get => _wrongTransactionId;
        set => _wrongTransactionId = value;
    }

    /// <summary>Gets or sets a value indicating whether the unit answers with bytes that are not a Modbus frame.</summary>
    public bool Garbage
    {
        get => _garbage;
        set => _garbage = value;
    }

    /// <summary>
    /// Gets or sets a value indicating whether the unit answers with the next unit id instead of the request's (a
    /// whole, well-formed frame that a strict client rejects), as a confused gateway does.
    /// </summary>
    public bool WrongUnitId
    {
        get => _wrongUnitId;
        set => _wrongUnitId = value;
    }

    /// <summary>Gets or sets the exception code the unit answers every request with; <see langword="null"/> for none.</summary>
    public ModbusExceptionCode? ExceptionCode
    {
        get => Volatile.Read(ref _exceptionCode) is var code and >= 0 ? (ModbusExceptionCode)code : null;
        set => Volatile.Write(ref _exceptionCode, value is { } code ? (int)code : -1);
    }

    /// <summary>Turns every fault off.</summary>
    public void Reset()
    {
        ResponseDelay = TimeSpan.Zero;
        Stall = false;
        CloseMidFrame = false;
        WrongTransactionId = false;
        Garbage = false;
        WrongUnitId = false;
        ExceptionCode = null;
    }
}
