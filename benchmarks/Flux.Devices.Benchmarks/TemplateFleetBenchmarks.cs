using BenchmarkDotNet.Attributes;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// <c>flux devices apply-template --template powerpack_bess.yaml --filter "type=bess,site=WLCE"</c> over 10,000
/// Registered PowerPack BESS in the in-memory store: the dry run, and the commit that configures all of them.
/// Every iteration starts from a fresh store of 10,000 Registered devices (built outside the measurement), so
/// each measured call is one whole fleet roll-out.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
[IterationCount(30)]
public class TemplateFleetBenchmarks
{
    private const int DeviceCount = 10_000;
    private readonly DeviceFilter _filter = DeviceFilter.Parse("type=bess,site=WLCE");
    private (Device Device, DeviceHistoryEntry Entry)[] _fleet = null!;
    private ServiceProvider? _services;
    private IDeviceTemplateService _templates = null!;
    private DeviceTemplate _template = null!;

    [GlobalSetup]
    public void Setup()
    {
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson);
        _fleet = [.. Enumerable.Range(0, DeviceCount).Select(i =>
        {
            var device = new Device
            {
                Id = Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddSeconds(i)),
                Name = $"WLCE-BESS-{i:D5}",
                Type = DeviceTypes.Bess,
                Site = "WLCE",
                Metadata = metadata.With("modbus_address", 1 + (i % 247L)),
            };
            return (device, new DeviceHistoryEntry { DeviceId = device.Id, Version = 1, Kind = DeviceChangeKind.Registered, ToState = DeviceState.Registered, Timestamp = device.CreatedAt });
        })];
    }

    [IterationSetup]
    public void FreshFleet()
    {
        _services?.Dispose();
        var store = new InMemoryDeviceStore();
        foreach (var (device, entry) in _fleet)
        {
            store.AddAsync(device, entry).AsTask().GetAwaiter().GetResult();
        }

        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        _services = services.BuildServiceProvider();
        _templates = _services.GetRequiredService<IDeviceTemplateService>();
        _template = _services.GetRequiredService<DeviceTemplateLoader>().Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    /// <summary>The dry run: select the 10,000 devices and plan each one (nothing is written).</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> Plan10k() => (await _templates.PlanAsync(_template, _filter)).ChangeCount;

    /// <summary>The dry run and the commit: 10,000 devices get the configuration and move to Configured, in one store batch.</summary>
    [Benchmark]
    public async Task<int> PlanAndCommit10k()
    {
        var plan = await _templates.PlanAsync(_template, _filter);
        return (await _templates.CommitAsync(plan)).Applied;
    }
}
