using BenchmarkDotNet.Attributes;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Benchmarks;

/// <summary>Loading the spec's template, and decoding whole register-map reads.</summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private readonly DeviceTemplateLoader _loader = new(BuiltInRegisterMaps.Provider, [DeviceTypes.Bess, DeviceTypes.Meter]);
    private readonly List<RegisterReading> _readings = new(32);
    private string _templateFile = null!;
    private ReadPlan _powerPack = null!;
    private ReadPlan _acuvim = null!;
    private ushort[] _powerPackWords = null!;
    private ushort[] _acuvimWords = null!;

    [GlobalSetup]
    public void Setup()
    {
        _templateFile = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "templates", "powerpack_bess.yaml"));
        _powerPack = ReadPlan.ForMap(BuiltInRegisterMaps.PowerPackBess);
        _acuvim = ReadPlan.ForMap(BuiltInRegisterMaps.Acuvim2Standard);
        _powerPackWords = new ushort[_powerPack.Requests[0].Count];
        _powerPackWords[0] = 2;
        _powerPackWords[8] = unchecked((ushort)(short)-40);
        RegisterCodec.WriteUInt32(_powerPackWords.AsSpan(26), 250_000);
        _powerPackWords[28] = 10;
        _acuvimWords = new ushort[_acuvim.Requests[0].Count];
        for (var i = 0; i < 0x3C; i += 2)
        {
            RegisterCodec.WriteSingle(_acuvimWords.AsSpan(i), 230.5f + i);
        }

        RegisterCodec.WriteUInt32(_acuvimWords.AsSpan(0x48), 123_456);
        RegisterCodec.WriteUInt32(_acuvimWords.AsSpan(0x4A), 789);
    }

    /// <summary>The spec's templates/powerpack_bess.yaml, as the spec prints it: parsed, nested, validated, resolved against the built-in map.</summary>
    [Benchmark(Baseline = true)]
    public DeviceTemplate LoadSpecTemplateAsPrinted() => _loader.Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");

    /// <summary>The shipped templates/powerpack_bess.yaml (indented, with comments).</summary>
    [Benchmark]
    public DeviceTemplate LoadShippedTemplateFile() => _loader.Load(_templateFile, "powerpack_bess.yaml");

    /// <summary>A full powerpack_bess read (29 registers) decoded into four scaled readings.</summary>
    [Benchmark]
    public int DecodePowerPackRead()
    {
        _readings.Clear();
        ReadPlan.Decode(_powerPack.Requests[0], _powerPackWords, _powerPack.Scaling, _readings);
        return _readings.Count;
    }

    /// <summary>A full acuvim2_standard read (76 registers) decoded into 23 readings.</summary>
    [Benchmark]
    public int DecodeAcuvimRead()
    {
        _readings.Clear();
        ReadPlan.Decode(_acuvim.Requests[0], _acuvimWords, _acuvim.Scaling, _readings);
        return _readings.Count;
    }
}
