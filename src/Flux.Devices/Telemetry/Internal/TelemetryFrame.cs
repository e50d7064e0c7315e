using Flux.Devices.Health.Internal;

namespace Flux.Devices.Telemetry.Internal;

/// <summary>
/// The latest readings of one device, decoded from its latest poll into arrays made once per poll plan: a decode
/// allocates nothing (a text point allocates its string). Its writers (the device's poll, and whoever marks it Stale)
/// hold <see cref="WriteLock"/>; readers on other threads take no lock: they take a consistent copy through a sequence
/// number (a seqlock), again if a writer wrote meanwhile.
/// </summary>
internal sealed class TelemetryFrame
{
    private readonly PollDecoder _decoder;
    private readonly double[] _values;
    private readonly string?[] _texts;
    private readonly bool[] _available;
    private DateTimeOffset _timestamp;
    private bool _hasData;
    private bool _stale;
    private int _sequence;

    /// <summary>Lays out the points of a plan (see <see cref="PollPlan.CreateDecoder"/>: a register map's scaled by its factors and the device's ratios).</summary>
    public TelemetryFrame(Guid deviceId, PollPlan plan, double ctRatio, double vtRatio)
    {
        DeviceId = deviceId;
        Plan = plan;
        CtRatio = ctRatio;
        VtRatio = vtRatio;
        _decoder = plan.CreateDecoder(ctRatio, vtRatio);
        _values = new double[_decoder.Count];
        _texts = new string?[_decoder.Count];
        _available = new bool[_decoder.Count];
    }

    public Guid DeviceId { get; }

    /// <summary>Held by writers (<see cref="Decode"/>, <see cref="MarkStale"/>), only ever for the few microseconds of a write.</summary>
    public Lock WriteLock { get; } = new();

    /// <summary>The plan the frame was laid out for: a poll of another plan needs a new frame.</summary>
    public PollPlan Plan { get; }

    public double CtRatio { get; }

    public double VtRatio { get; }

    /// <summary>How many points a poll decodes.</summary>
    public int Count => _values.Length;

    /// <summary>Whether the frame fits a target's plan and ratios as they are now.</summary>
    public bool Fits(PollPlan plan, double ctRatio, double vtRatio) => ReferenceEquals(plan, Plan) && ctRatio == CtRatio && vtRatio == VtRatio;

    /// <summary>Decodes a successful poll's values: every point Good or NotAvailable, at the poll's time. The caller holds <see cref="WriteLock"/>.</summary>
    /// <param name="readings">The values read (of <see cref="Plan"/>).</param>
    /// <param name="timestamp">The poll's timestamp.</param>
    public void Decode(PollReadings readings, DateTimeOffset timestamp)
    {
        Interlocked.Increment(ref _sequence); // odd: being written
        _decoder.Decode(readings, _values, _texts, _available);
        _timestamp = timestamp;
        _hasData = true;
        _stale = false;
        Interlocked.Increment(ref _sequence); // even: consistent
    }

    /// <summary>Marks the readings Stale (their values and time stay those of the poll that read them). The caller holds <see cref="WriteLock"/>.</summary>
    /// <returns>Whether they were not stale before (and there were readings).</returns>
    public bool MarkStale()
    {
        if (!_hasData || _stale)
        {
            return false;
        }

        Interlocked.Increment(ref _sequence);
        _stale = true;
        Interlocked.Increment(ref _sequence);
        return true;
    }

    /// <summary>Gets the readings as they are now: a consistent copy, taken again if a poll wrote meanwhile.</summary>
    public TelemetryReading[] Snapshot()
    {
        var spinner = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref _sequence);
            if ((before & 1) == 0)
            {
                var readings = _hasData ? Materialize() : [];
                if (Volatile.Read(ref _sequence) == before)
                {
                    return readings;
                }
            }

            spinner.SpinOnce();
        }
    }

    /// <summary>Makes the readings as they are: under <see cref="WriteLock"/>, or within <see cref="Snapshot"/>'s check.</summary>
    public TelemetryReading[] Materialize()
    {
        var quality = _stale ? TelemetryQuality.Stale : TelemetryQuality.Good;
        var readings = new TelemetryReading[_values.Length];
        for (var i = 0; i < readings.Length; i++)
        {
            var available = _available[i];
            var text = available ? _texts[i] : null;
            readings[i] = new TelemetryReading
            {
                DeviceId = DeviceId,
                Point = _decoder.Name(i),
                Value = available && text is null ? _values[i] : null,
                Text = text,
                Unit = _decoder.Unit(i),
                Quality = available || _stale ? quality : TelemetryQuality.NotAvailable,
                Timestamp = _timestamp,
            };
        }

        return readings;
    }
}
