using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Flux.Devices.Tests.DependencyInjection;

/// <summary>A host keeps health samples in a store of its own (a time-series database) while devices stay in the main store.</summary>
public sealed class HealthSampleStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UseHealthSampleStore_MonitorWritesAndReadsSamplesThere_DevicesStayInTheMainStore()
    {
        var main = new InMemoryDeviceStore();
        var samples = new RecordingSampleStore();
        var services = new ServiceCollection();
        services.AddFluxDevices()
            .UseStore(main)
            .UseHealthSampleStore(_ => samples)
            .UseTransport(_ => Mock.Of<IModbusTransport>()); // every read succeeds
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = await registry.WalkToAsync(
            SpecSamples.Bess() with { Metadata = SpecSamples.Bess().Metadata.With("ip_address", "127.0.0.1") },
            DeviceState.Active);

        var polled = await provider.GetRequiredService<IDeviceHealthMonitor>().CheckAsync(cancellationToken: Cancel);

        var sample = Assert.Single(polled);
        Assert.Equal(device.Id, sample.DeviceId);
        Assert.Equal([sample], samples.Appended);
        Assert.Same(samples, provider.GetRequiredService<IHealthSampleStore>());
        Assert.Null(await main.GetLatestHealthAsync(device.Id, Cancel));
        Assert.Empty(await main.ListLatestHealthAsync(Cancel));
        Assert.Equal(device, await main.GetAsync(device.Id, Cancel));
        Assert.Equal(device, await provider.GetRequiredService<IDeviceRegistryStore>().GetAsync(device.Id, Cancel));
        Assert.Equal(1, samples.LatestReads); // the monitor reads the previous sample from the same store
    }

    [Fact]
    public async Task Capabilities_WithoutAReplacement_AreTheMainStore_AndTheContainerDoesNotDisposeAStoreItWasGiven()
    {
        var main = new DisposalCountingStore();
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(main);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = await registry.RegisterAsync(SpecSamples.Bess(), Cancel);
        var sample = new DeviceHealthSample { DeviceId = device.Id, Timestamp = StoredTime.ToMicroseconds(DateTimeOffset.UtcNow), Status = DeviceHealthStatus.Online };

        await provider.GetRequiredService<IHealthSampleStore>().AppendHealthAsync([sample], Cancel);
        var group = new DeviceGroup { Id = Guid.NewGuid(), Name = "G", Site = "WLCE", GroupType = DeviceGroupType.Control, CreatedAt = sample.Timestamp };
        await provider.GetRequiredService<IDeviceGroupStore>().AddGroupAsync(group, Cancel);
        await provider.DisposeAsync();

        Assert.Equal(sample, await main.GetLatestHealthAsync(device.Id, Cancel));
        Assert.Equal(group, await main.GetGroupAsync(group.Id, Cancel));
        Assert.Equal(device, await main.GetAsync(device.Id, Cancel));
        Assert.Equal(0, main.Disposals);
    }

    private sealed class RecordingSampleStore : IHealthSampleStore
    {
        private readonly Lock _lock = new();
        private readonly List<DeviceHealthSample> _appended = [];

        public IReadOnlyList<DeviceHealthSample> Appended
        {
            get
            {
                lock (_lock)
                {
                    return [.. _appended];
                }
            }
        }

        public int LatestReads { get; private set; }

        public ValueTask AppendHealthAsync(IReadOnlyList<DeviceHealthSample> samples, CancellationToken cancellationToken = default)
        {
            var stored = HealthSampleRules.NormalizeBatch(samples);
            lock (_lock)
            {
                _appended.AddRange(stored);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                LatestReads++;
                return ValueTask.FromResult(_appended.Where(s => s.DeviceId == deviceId).MaxBy(s => s.Timestamp));
            }
        }

        public ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                LatestReads++;
                return ValueTask.FromResult<IReadOnlyList<DeviceHealthSample>>([.. _appended.GroupBy(s => s.DeviceId).Select(g => g.MaxBy(s => s.Timestamp)!)]);
            }
        }

        public ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                return ValueTask.FromResult<IReadOnlyList<DeviceHealthSample>>([.. _appended.Where(s => s.DeviceId == deviceId && s.Timestamp >= since && s.Timestamp < until).OrderBy(s => s.Timestamp)]);
            }
        }
    }

    /// <summary>The in-memory store, counting its disposals: the store a host gives stays the host's.</summary>
    private sealed class DisposalCountingStore() : DelegatingDeviceStore(new InMemoryDeviceStore()), IAsyncDisposable
    {
        public int Disposals { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposals++;
            return ValueTask.CompletedTask;
        }
    }
}
