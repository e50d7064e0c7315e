using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Flux.Devices.Diagnostics;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Telemetry.Internal;

/// <summary>
/// The process's telemetry (<see cref="IDeviceTelemetry"/>): a <see cref="TelemetryFrame"/> per device with the latest
/// readings, and the subscriptions. The health monitor decodes into the frames and publishes; the lifecycle observer
/// and the monitor mark a device's frame Stale when its telemetry stops.
/// </summary>
internal sealed class DeviceTelemetry : IDeviceTelemetry
{
    private static readonly KeyValuePair<string, object?> SubscriberReason = new("reason", "subscriber");
    private static readonly KeyValuePair<string, object?> StoreReason = new("reason", "store");

    private static readonly List<TelemetrySubscription> NoSubscribers = [];

    private readonly ConcurrentDictionary<Guid, TelemetryFrame> _frames = new();

    /// <summary>How many times each device's telemetry was stopped (<see cref="MarkStale"/>): a poll that saw another count when it began decodes nothing.</summary>
    private readonly ConcurrentDictionary<Guid, int> _stops = new();
    private readonly Lock _subscribersLock = new();
    private readonly Counter<long>? _droppedCounter;
    private TelemetrySubscription[] _subscribers = [];
    private long _dropped;

    public DeviceTelemetry(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is not null)
        {
            _droppedCounter = meterFactory.Create(FluxDevicesDiagnostics.MeterName).CreateCounter<long>(
                "flux.devices.telemetry.readings_dropped",
                unit: "{reading}",
                description: "Telemetry readings dropped: a subscriber lagged with a full queue (reason=subscriber), or the store failed or fell too far behind (reason=store).");
        }
    }

    public long DroppedReadings => Interlocked.Read(ref _dropped);

    /// <summary>Whether anyone subscribes now (readings are then made for them).</summary>
    public bool HasSubscribers => Volatile.Read(ref _subscribers).Length > 0;

    public IReadOnlyList<TelemetryReading> GetLatest(Guid deviceId) =>
        _frames.TryGetValue(deviceId, out var frame) ? frame.Snapshot() : [];

    public TelemetrySubscription Subscribe(TelemetrySubscriptionOptions? options = null)
    {
        var subscription = new TelemetrySubscription(options ?? new TelemetrySubscriptionOptions(), Unsubscribe, SubscriberDropped);
        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    /// <summary>Gets the frame a poll of a device decodes into: the one given while it fits the plan and ratios, else a new one, which becomes the device's latest.</summary>
    public TelemetryFrame FrameFor(Guid deviceId, Health.Internal.PollPlan plan, double ctRatio, double vtRatio, TelemetryFrame? current)
    {
        if (current is not null && current.Fits(plan, ctRatio, vtRatio) && _frames.TryGetValue(deviceId, out var known) && ReferenceEquals(known, current))
        {
            return current;
        }

        var frame = new TelemetryFrame(deviceId, plan, ctRatio, vtRatio);
        _frames[deviceId] = frame;
        return frame;
    }

    /// <summary>The count of stops of a device's telemetry, taken before its poll begins (see <see cref="Record"/>).</summary>
    public int StopsOf(Guid deviceId) => _stops.GetValueOrDefault(deviceId);

    /// <summary>
    /// Decodes a successful poll into <paramref name="frame"/>, unless the device's telemetry was stopped since the poll
    /// began (<paramref name="stopsBefore"/>: it left Active meanwhile, and its readings stay Stale); then hands the
    /// readings to the subscribers, and those with a value to <paramref name="store"/>. Makes no reading objects when
    /// neither wants them.
    /// </summary>
    /// <returns>Whether the poll was decoded.</returns>
    public bool Record(TelemetryFrame frame, Health.Internal.PollReadings readings, DateTimeOffset timestamp, int stopsBefore, Action<TelemetryReading>? store)
    {
        lock (frame.WriteLock)
        {
            if (StopsOf(frame.DeviceId) != stopsBefore)
            {
                return false;
            }

            frame.Decode(readings, timestamp);
        }

        Publish(frame, store);
        return true;
    }

    private void Publish(TelemetryFrame frame, Action<TelemetryReading>? store)
    {
        var subscribers = Wanting(frame.DeviceId);
        if (subscribers.Count == 0 && store is null)
        {
            return;
        }

        foreach (var reading in frame.Snapshot())
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Offer(reading);
            }

            if (store is not null && reading is { Value: not null, Quality: TelemetryQuality.Good })
            {
                store(reading);
            }
        }
    }

    /// <summary>Marks a device's latest readings Stale (its poll failed, or it left Active), and tells the subscribers.</summary>
    public void MarkStale(Guid deviceId)
    {
        _stops.AddOrUpdate(deviceId, 1, static (_, count) => count + 1);
        if (!_frames.TryGetValue(deviceId, out var frame))
        {
            return;
        }

        lock (frame.WriteLock)
        {
            if (!frame.MarkStale())
            {
                return;
            }
        }

        var subscribers = Wanting(deviceId);
        if (subscribers.Count > 0)
        {
            foreach (var reading in frame.Snapshot())
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber.Offer(reading);
                }
            }
        }
    }

    /// <summary>Counts readings the store did not take.</summary>
    public void StoreDropped(int count)
    {
        if (count > 0)
        {
            _droppedCounter?.Add(count, StoreReason);
        }
    }

    private List<TelemetrySubscription> Wanting(Guid deviceId)
    {
        var all = Volatile.Read(ref _subscribers);
        if (all.Length == 0)
        {
            return NoSubscribers; // never added to
        }

        var wanting = new List<TelemetrySubscription>(all.Length);
        foreach (var subscriber in all)
        {
            if (subscriber.Wants(deviceId))
            {
                wanting.Add(subscriber);
            }
        }

        return wanting;
    }

    private void SubscriberDropped()
    {
        Interlocked.Increment(ref _dropped);
        _droppedCounter?.Add(1, SubscriberReason);
    }

    private void Unsubscribe(TelemetrySubscription subscription)
    {
        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscription))];
        }
    }
}
