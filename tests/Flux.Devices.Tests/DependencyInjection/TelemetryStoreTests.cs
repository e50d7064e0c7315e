using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Tests.DependencyInjection;

/// <summary>A host keeps telemetry in a store of its own (a time-series database) while devices stay in the main store.</summary>
public sealed class TelemetryStoreTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UseTelemetryStore_ReadingsGoThere_ForTheCapabilityAndTheWholeStore_DevicesStayInTheMainStore()
    {
        var main = new InMemoryDeviceStore();
        var telemetry = new InMemoryDeviceStore(); // keeps its own devices: readings of a device it does not know are refused
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(main).UseTelemetryStore(_ => telemetry);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var device = await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), Cancel);
        await telemetry.AddAsync(device, (await main.GetHistoryAsync(device.Id, Cancel))[0], Cancel);
        var reading = Reading(device.Id, 1);

        Assert.Same(telemetry, provider.GetRequiredService<ITelemetryStore>());
        await DeviceStoreView.Capabilities(provider).AppendTelemetryAsync([reading], Cancel);

        Assert.Equal([reading], await telemetry.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Empty(await main.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
    }

    [Fact]
    public async Task Telemetry_WithoutAReplacement_IsTheMainStore()
    {
        var main = new InMemoryDeviceStore();
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(main);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var device = await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), Cancel);

        await provider.GetRequiredService<ITelemetryStore>().AppendTelemetryAsync([Reading(device.Id, 1)], Cancel);
        await DeviceStoreView.Capabilities(provider).AppendTelemetryAsync([Reading(device.Id, 2)], Cancel);

        Assert.Equal([1.0, 2.0], (await main.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Select(r => r.Value!.Value));
    }

    [Fact]
    public async Task InMemoryStore_BeyondItsTelemetryWindow_KeepsTheNewestReadings()
    {
        var store = new InMemoryDeviceStore(healthSamplesPerDevice: 10, telemetryReadingsPerDevice: 4);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        await using var provider = services.BuildServiceProvider();
        var device = await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), Cancel);

        foreach (var minute in new[] { 3, 1, 5, 0, 4, 2 })
        {
            await store.AppendTelemetryAsync([Reading(device.Id, minute)], Cancel);
        }

        var kept = await store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel);
        Assert.Equal([2.0, 3.0, 4.0, 5.0], kept.Select(r => r.Value!.Value));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryDeviceStore(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryDeviceStore(10, 10_000_001));
    }

    private static TelemetryReading Reading(Guid deviceId, int minute) => new()
    {
        DeviceId = deviceId,
        Point = "soe",
        Value = minute,
        Timestamp = new DateTimeOffset(2024, 1, 1, 8, minute, 0, TimeSpan.Zero),
    };
}
