using BenchmarkDotNet.Attributes;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// The in-memory store at fleet scale: 100,000 devices over 10 sites, half BESS and half meters.
/// Filtering by the spec's <c>type=bess,site=WLCE</c> selects 5,000 of them.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class InMemoryStoreBenchmarks
{
    private const int DeviceCount = 100_000;
    private static readonly string[] Sites = ["WLCE", "HMCE", "LFCE", "S04", "S05", "S06", "S07", "S08", "S09", "S10"];

    private readonly DeviceFilter _specFilter = DeviceFilter.Parse("type=bess,site=WLCE");
    private readonly DeviceFilter _metadataFilter = DeviceFilter.Parse("site=WLCE,metadata.modbus_address=11");
    private InMemoryDeviceStore _store = null!;
    private NewDevice[] _newDevices = null!;
    private (Device Device, DeviceHistoryEntry Entry)[] _stored = null!;

    [GlobalSetup]
    public void Setup()
    {
        _newDevices = [.. Enumerable.Range(0, DeviceCount).Select(NewDevice)];
        var now = DateTimeOffset.UnixEpoch;
        _stored = [.. _newDevices.Select(d => StoredDevice(d, now))];
        _store = new InMemoryDeviceStore();
        foreach (var (device, entry) in _stored)
        {
            _store.AddAsync(device, entry).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The spec's filter over 100,000 devices (returns 5,000, sorted by name).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Filter")]
    public async Task<int> FilterTypeAndSite() => (await _store.ListAsync(_specFilter)).Count;

    /// <summary>A filter that also looks inside the metadata (returns 500).</summary>
    [Benchmark]
    [BenchmarkCategory("Filter")]
    public async Task<int> FilterSiteAndMetadata() => (await _store.ListAsync(_metadataFilter)).Count;

    /// <summary>100,000 devices written straight to an empty store (no validation): the baseline for registering.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Register")]
    public async Task<int> StoreAdd100k()
    {
        var store = new InMemoryDeviceStore();
        foreach (var (device, entry) in _stored)
        {
            await store.AddAsync(device, entry);
        }

        return DeviceCount;
    }

    /// <summary>100,000 devices registered through the registry: validation, name check, history, store.</summary>
    [Benchmark]
    [BenchmarkCategory("Register")]
    public async Task<int> RegistryRegister100k()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        foreach (var device in _newDevices)
        {
            await registry.RegisterAsync(device);
        }

        return DeviceCount;
    }

    private static NewDevice NewDevice(int i)
    {
        var site = Sites[i % Sites.Length];
        var bess = (i / Sites.Length) % 2 == 0;
        var address = 1 + (i % 200);
        var metadata = bess
            ? DeviceMetadata.Parse($$"""{"manufacturer":"PowerPack","model":"PP-500","capacity_kwh":500,"max_power_kw":100,"efficiency":0.92,"modbus_address":{{address}},"firmware_version":"2.1.3","ip_address":"127.0.{{i / 250 % 256}}.{{i % 250}}"}""")
            : DeviceMetadata.Parse($$"""{"manufacturer":"Accuenergy","model":"Acuvim-II","meter_type":"grid","phases":3,"ct_ratio":100,"vt_ratio":1,"modbus_address":{{address}},"register_map":"acuvim2_standard"}""");
        return new NewDevice
        {
            Id = Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddSeconds(i)),
            Name = $"{site}-{(bess ? "BESS" : "METER")}-{i:D6}",
            Type = bess ? DeviceTypes.Bess : DeviceTypes.Meter,
            Site = site,
            Metadata = metadata,
        };
    }

    private static (Device, DeviceHistoryEntry) StoredDevice(NewDevice d, DateTimeOffset now)
    {
        var device = new Device { Id = d.Id!.Value, Name = d.Name, Type = d.Type, Site = d.Site, Metadata = d.Metadata, CreatedAt = now, UpdatedAt = now };
        return (device, new DeviceHistoryEntry { DeviceId = device.Id, Version = 1, Kind = DeviceChangeKind.Registered, ToState = DeviceState.Registered, Timestamp = now });
    }
}
