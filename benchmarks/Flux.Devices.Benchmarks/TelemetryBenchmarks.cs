using BenchmarkDotNet.Attributes;
using Flux.Devices.Health.Internal;
using Flux.Devices.RegisterMaps;
using Flux.Devices.SunSpec;
using Flux.Devices.Telemetry;
using Flux.Devices.Telemetry.Internal;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// Telemetry decoding of a whole <c>powerpack_bess</c> read (2000..2028, one request): into the target's preallocated
/// frame (what every poll of an Active device does), and beside it the frame's readings made as objects (what a
/// subscriber or a telemetry store costs per poll), and the register map's own decode into <see cref="RegisterReading"/>s;
/// and a SunSpec battery's poll (1 + 802, the 12 points of <c>templates/sunspec_bess.yaml</c> and their 8 scale factors,
/// one read of 53 registers) decoded into its frame, scale factors from the same poll.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly List<RegisterReading> _registerReadings = new(8);
    private ReadPlan _plan = null!;
    private PollReadings _readings = null!;
    private TelemetryFrame _frame = null!;
    private DateTimeOffset _timestamp;
    private PollReadings _sunSpecReadings = null!;
    private TelemetryFrame _sunSpecFrame = null!;

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

        var chain = new SunSpecChain(40000, [new(1, 40002, 66), new(802, 40070, 62)]);
        var metadata = DeviceMetadata.Empty.With(SunSpecChain.BaseMetadataKey, 40000L).With(SunSpecChain.MetadataKey, chain.ToMetadataValue());
        string[] points = ["802.SoC", "802.SoH", "802.W", "802.A", "802.V", "802.ChaSt", "802.State", "802.LocRemCtl", "802.Evt1", "802.WHRtg", "802.WChaRteMax", "802.WDisChaRteMax"];
        if (!SunSpecPollPlan.TryCreate(metadata, points, out var sunSpec, out var problem))
        {
            throw new InvalidOperationException(problem);
        }

        _sunSpecReadings = new PollReadings(sunSpec);
        for (var i = 0; i < sunSpec.Reads.Count; i++)
        {
            var span = _sunSpecReadings.Registers(i).Span;
            for (var k = 0; k < span.Length; k++)
            {
                span[k] = (ushort)((k * 37) % 3 == 0 ? unchecked((ushort)(short)-1) : 1000 + k); // scale factor slots get -1 or small numbers
            }
        }

        _sunSpecFrame = new TelemetryFrame(Guid.NewGuid(), sunSpec, 1, 1);
    }

    /// <summary>A SunSpec battery's poll (12 points, 8 scale factors, 53 registers) decoded into its frame: nothing allocated.</summary>
    [Benchmark]
    public int DecodeSunSpecBatteryIntoFrame()
    {
        _sunSpecFrame.Decode(_sunSpecReadings, _timestamp);
        return _sunSpecFrame.Count;
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
