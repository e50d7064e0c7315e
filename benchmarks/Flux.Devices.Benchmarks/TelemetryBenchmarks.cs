using BenchmarkDotNet.Attributes;
using Flux.Devices.Health.Internal;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Telemetry;
using Flux.Devices.Telemetry.Internal;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// Telemetry decoding of a whole <c>powerpack_bess</c> read (2000..2028, one request): into the target's preallocated
/// frame (what every poll of an Active device does), and beside it the frame's readings made as objects (what a
/// subscriber or a telemetry store costs per poll), and the register map's own decode into <see cref="RegisterReading"/>s.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly List<RegisterReading> _registerReadings = new(8);
    private ReadPlan _plan = null!;
    private PollReadings _readings = null!;
    private TelemetryFrame _frame = null!;
    private DateTimeOffset _timestamp;

    [GlobalSetup]
    public void Setup()
    {
        _plan = ReadPlan.ForMap(BuiltInRegisterMaps.PowerPackBess);
        _readings = new PollReadings(new RegisterPollPlan(_plan));
        var words = _readings.Registers(0).Span;
        words[0] = 2;
        words[8] = unchecked((ushort)(short)-40);
        RegisterCodec.WriteUInt32(words[26..], 250_000);
        words[28] = 10;
        _frame = new TelemetryFrame(Guid.NewGuid(), _readings.Plan, 1, 1);
        _timestamp = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    }

    /// <summary>A poll's values decoded into the device's frame: 4 readings, nothing allocated.</summary>
    [Benchmark(Baseline = true)]
    public int DecodePowerPackIntoFrame()
    {
        _frame.Decode(_readings, _timestamp);
        return _frame.Count;
    }

    /// <summary>The same, and the readings made for subscribers and the store (4 <see cref="TelemetryReading"/>s and their array).</summary>
    [Benchmark]
    public TelemetryReading[] DecodePowerPackAndMaterialize()
    {
        _frame.Decode(_readings, _timestamp);
        return _frame.Materialize();
    }

    /// <summary>The register map's decode of the same read (<see cref="ReadPlan.Decode"/>), for comparison.</summary>
    [Benchmark]
    public int DecodePowerPackAsRegisterReadings()
    {
        _registerReadings.Clear();
        ReadPlan.Decode(_plan.Requests[0], _readings.Registers(0).Span, _plan.Scaling, _registerReadings);
        return _registerReadings.Count;
    }
}
