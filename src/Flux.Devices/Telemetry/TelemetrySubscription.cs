using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Flux.Devices.Telemetry;

/// <summary>
/// A subscription to telemetry readings (<see cref="IDeviceTelemetry.Subscribe"/>): enumerate it once, with
/// <c>await foreach</c>, to read the readings as polls decode them; dispose it to end it (the enumeration then ends
/// after the readings already queued).
/// </summary>
/// <remarks>
/// The queue is bounded: when the subscriber lags and the queue is full, the oldest waiting reading is dropped, and
/// counted in <see cref="Dropped"/>. Polling never waits for a subscriber.
/// </remarks>
public sealed class TelemetrySubscription : IAsyncEnumerable<TelemetryReading>, IDisposable
{
    private readonly Channel<TelemetryReading> _queue;
    private readonly HashSet<Guid>? _devices;
    private readonly HashSet<string>? _points;
    private readonly Action<TelemetrySubscription> _unsubscribe;
    private readonly Action _dropped;
    private long _droppedCount;
    private int _enumerated;

    internal TelemetrySubscription(TelemetrySubscriptionOptions options, Action<TelemetrySubscription> unsubscribe, Action dropped)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Capacity, TelemetrySubscriptionOptions.MaxCapacity, nameof(options));
        _devices = options.DeviceIds is { Count: > 0 } devices ? [.. devices] : null;
        _points = options.Points is { Count: > 0 } points ? new HashSet<string>(points, StringComparer.Ordinal) : null;
        _unsubscribe = unsubscribe;
        _dropped = dropped;
        _queue = Channel.CreateBounded<TelemetryReading>(
            new BoundedChannelOptions(options.Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            _ =>
            {
                Interlocked.Increment(ref _droppedCount);
                _dropped();
            });
    }

    /// <summary>Gets how many readings were dropped because the subscriber lagged with a full queue.</summary>
    public long Dropped => Interlocked.Read(ref _droppedCount);

    /// <summary>Gets whether the subscription takes readings of a device at all (before its readings are made).</summary>
    internal bool Wants(Guid deviceId) => _devices is null || _devices.Contains(deviceId);

    /// <summary>Queues a reading that matches; never waits.</summary>
    internal void Offer(TelemetryReading reading)
    {
        if (Wants(reading.DeviceId) && (_points is null || _points.Contains(reading.Point)))
        {
            _queue.Writer.TryWrite(reading);
        }
    }

    /// <summary>Reads the readings as they come, until the subscription is disposed (after those queued) or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The readings.</returns>
    /// <exception cref="InvalidOperationException">The subscription is enumerated a second time.</exception>
    public IAsyncEnumerator<TelemetryReading> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A telemetry subscription is enumerated once; subscribe again for another reader.");
        }

        return ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Ends the subscription: no reading is queued any more.</summary>
    public void Dispose()
    {
        _unsubscribe(this);
        _queue.Writer.TryComplete();
    }

    private async IAsyncEnumerable<TelemetryReading> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var reading))
            {
                yield return reading;
            }
        }
    }
}
