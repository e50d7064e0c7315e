using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Tests.Storage;

/// <summary>What only the in-memory store promises: a bounded health window per device.</summary>
public sealed class InMemoryHealthWindowTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AppendHealthAsync_BeyondTheWindow_KeepsTheNewestSamplesInOrder()
    {
        var store = new InMemoryDeviceStore(healthSamplesPerDevice: 5);
        var device = await RegisterAsync(store);
        var minutes = new[] { 3, 1, 2, 9, 7, 8, 4, 6, 5, 0 };

        foreach (var minute in minutes)
        {
            await store.AppendHealthAsync([Sample(device, minute)]);
        }

        var kept = await store.GetHealthAsync(device, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([5, 6, 7, 8, 9], kept.Select(s => (int)(s.Timestamp - T0).TotalMinutes));
    }

    [Fact]
    public void Constructor_WindowOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryDeviceStore(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryDeviceStore(1_000_001));
    }

    private static async Task<Guid> RegisterAsync(InMemoryDeviceStore store)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        await using var provider = services.BuildServiceProvider();
        var device = await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess("W-BESS-1"));
        return device.Id;
    }

    private static DeviceHealthSample Sample(Guid device, int minute) => new()
    {
        DeviceId = device,
        Timestamp = T0.AddMinutes(minute),
        Status = DeviceHealthStatus.Online,
    };
}
