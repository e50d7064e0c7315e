using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flux.Devices.SunSpec;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// SunSpec: loading the shipped model definitions (a fresh catalog each time: what the first use costs once the code
/// is compiled), building a battery's register map from its chain, and decoding a full 802 + 804 poll.
/// </summary>
[MemoryDiagnoser]
public class SunSpecBenchmarks
{
    // 1, 802 (L 62) and 804 with 8 modules (L 46 + 8 x 16): 206 points, 246 registers, two reads.
    private static readonly SunSpecChain Battery = new(40000, [new(1, 40002, 66), new(802, 40070, 62), new(804, 40134, 174)]);

    private SunSpecReadPlan _plan = null!;
    private ushort[] _buffer = null!;
    private SunSpecValue[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        var map = SunSpecRegisterMap.Create(Battery);
        _plan = SunSpecReadPlan.Create(map, map.Points.Where(p => p.ModelId != 1).Select(p => p.Name));
        _buffer = new ushort[_plan.BufferLength];
        var random = new Random(7);
        for (var i = 0; i < _buffer.Length; i++)
        {
            _buffer[i] = (ushort)random.Next(0, 0x7FFF);
        }

        foreach (var (slot, index) in _plan.Slots.Select((s, i) => (s, i)).Where(p => p.s.Type == SunSpecPointType.Sunssf))
        {
            var read = _plan.Reads.Single(r => r.Start <= slot.Address && slot.Address < r.Start + r.Count);
            _buffer[read.BufferOffset + slot.Address - read.Start] = unchecked((ushort)(short)((index % 5) - 2)); // -2..2
        }

        _values = new SunSpecValue[_plan.Slots.Count];
    }

    /// <summary>Every shipped model (41) parsed by a new catalog: the first use of all of them.</summary>
    [Benchmark]
    public int LoadAllModels() => new SunSpecModelCatalog(typeof(SunSpecModelCatalog).Assembly).LoadAll().Count;

    /// <summary>One model (804) parsed by a new catalog: the first use of one model on demand.</summary>
    [Benchmark]
    public int LoadOneModel() => new SunSpecModelCatalog(typeof(SunSpecModelCatalog).Assembly).TryGet(804, out var model) ? model.Id : 0;

    /// <summary>The register map of 1 + 802 + 804 (8 modules), models already loaded.</summary>
    [Benchmark]
    public int BuildBatteryMap() => SunSpecRegisterMap.Create(Battery).Points.Count;

    /// <summary>A full 802 + 804 (8 modules) poll decoded into values: 181 points, each scaled by its own scale factor.</summary>
    [Benchmark(Baseline = true)]
    public int Decode802And804()
    {
        _plan.Decode(_buffer, _values);
        return _values.Length;
    }

    /// <summary>The same poll decoded and turned into readings (name, scaled value, unit).</summary>
    [Benchmark]
    public int Decode802And804Readings()
    {
        _plan.Decode(_buffer, _values);
        return _plan.ToReadings(_values).Count;
    }
}

/// <summary>The very first load in a new process (code not yet compiled, resources not yet read): what start-up pays once.</summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 10, iterationCount: 1, warmupCount: 0)]
public class SunSpecColdStartBenchmarks
{
    /// <summary>All 41 models, first use in the process.</summary>
    [Benchmark]
    public int FirstLoadAll() => SunSpecModelCatalog.Shared.LoadAll().Count;

    /// <summary>One model (802), first use in the process.</summary>
    [Benchmark]
    public int FirstLoadOne() => SunSpecModelCatalog.Shared.TryGet(802, out var model) ? model.Id : 0;

    /// <summary>A battery's map (1 + 802 + 804), loading the three models it needs: the first poll's set-up.</summary>
    [Benchmark]
    public int FirstBatteryMap() => SunSpecRegisterMap.Create(new SunSpecChain(40000, [new(1, 40002, 66), new(802, 40070, 62), new(804, 40134, 174)])).Points.Count;
}
