using Flux.Devices.Health.Internal;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Telemetry.Internal;

/// <summary>
/// The latest readings of one device, decoded from its latest poll into arrays made once per read plan: a decode
/// allocates nothing (a text point allocates its string). Its writers (the device's poll, and whoever marks it Stale)
/// hold <see cref="WriteLock"/>; readers on other threads take no lock: they take a consistent copy through a sequence
/// number (a seqlock), again if a writer wrote meanwhile.
/// </summary>
internal sealed class TelemetryFrame
{
    private readonly Point[] _points;
    private readonly double[] _values;
    private readonly string?[] _texts;
    private readonly bool[] _available;
    private DateTimeOffset _timestamp;
    private bool _hasData;
    private bool _stale;
    private int _sequence;

    /// <summary>Lays out the points of a plan, each with its factor: its scale, times the device's ratios for a secondary-side point.</summary>
    public TelemetryFrame(Guid deviceId, ReadPlan plan, double ctRatio, double vtRatio)
    {
        DeviceId = deviceId;
        Plan = plan;
        CtRatio = ctRatio;
        VtRatio = vtRatio;
        var points = new List<Point>();
        for (var request = 0; request < plan.Requests.Count; request++)
        {
            var read = plan.Requests[request];
            foreach (var register in read.Registers)
            {
                var factor = register.IsBit || register.DataType == RegisterDataType.String ? 1 : RegisterDecoder.ScaleOf(register, plan.Scaling) * register.Secondary switch
                {
                    SecondarySide.Current => ctRatio,
                    SecondarySide.Voltage => vtRatio,
                    SecondarySide.Power => ctRatio * vtRatio,
                    _ => 1,
                };
                points.Add(new Point(register, request, register.Address - read.Start, factor));
            }
        }

        _points = [.. points];
        _values = new double[_points.Length];
        _texts = new string?[_points.Length];
        _available = new bool[_points.Length];
    }

    public Guid DeviceId { get; }

    /// <summary>Held by writers (<see cref="Decode"/>, <see cref="MarkStale"/>), only ever for the few microseconds of a write.</summary>
    public Lock WriteLock { get; } = new();

    /// <summary>The plan the frame was laid out for: a poll of another plan needs a new frame.</summary>
    public ReadPlan Plan { get; }

    public double CtRatio { get; }

    public double VtRatio { get; }

    /// <summary>How many points a poll decodes.</summary>
    public int Count => _points.Length;

    /// <summary>Whether the frame fits a target's plan and ratios as they are now.</summary>
    public bool Fits(ReadPlan plan, double ctRatio, double vtRatio) => ReferenceEquals(plan, Plan) && ctRatio == CtRatio && vtRatio == VtRatio;

    /// <summary>Decodes a successful poll's values: every point Good or NotAvailable, at the poll's time. The caller holds <see cref="WriteLock"/>.</summary>
    /// <param name="readings">The values read (of <see cref="Plan"/>).</param>
    /// <param name="timestamp">The poll's timestamp.</param>
    public void Decode(PollReadings readings, DateTimeOffset timestamp)
    {
        Interlocked.Increment(ref _sequence); // odd: being written
        for (var i = 0; i < _points.Length; i++)
        {
            ref readonly var point = ref _points[i];
            var register = point.Register;
            if (register.IsBit)
            {
                _values[i] = readings.Bits(point.Request).Span[point.Offset] ? 1 : 0;
                _available[i] = true;
                continue;
            }

            var words = readings.Registers(point.Request).Span.Slice(point.Offset, register.Count);
            if (register.DataType == RegisterDataType.String)
            {
                var text = RegisterCodec.ReadString(words, register.Order);
                _texts[i] = text.Length == 0 ? null : text;
                _available[i] = text.Length > 0;
                _values[i] = 0;
                continue;
            }

            _available[i] = RegisterDecoder.TryDecodeNumber(register, words, point.Factor, out _values[i]);
        }

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
        var readings = new TelemetryReading[_points.Length];
        for (var i = 0; i < readings.Length; i++)
        {
            var register = _points[i].Register;
            var available = _available[i];
            readings[i] = new TelemetryReading
            {
                DeviceId = DeviceId,
                Point = register.Name,
                Value = available && register.DataType != RegisterDataType.String ? _values[i] : null,
                Text = available ? _texts[i] : null,
                Unit = register.Unit,
                Quality = available || _stale ? quality : TelemetryQuality.NotAvailable,
                Timestamp = _timestamp,
            };
        }

        return readings;
    }

    /// <summary>A point of the plan: which read holds it, where, and the factor its raw value is multiplied by.</summary>
    private readonly record struct Point(RegisterDefinition Register, int Request, int Offset, double Factor);
}
