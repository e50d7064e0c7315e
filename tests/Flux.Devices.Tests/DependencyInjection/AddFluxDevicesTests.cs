using Flux.Devices.Groups;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.DependencyInjection;

public sealed class AddFluxDevicesTests
{
    [Fact]
    public void AddFluxDevices_CalledTwice_ServicesNotAddedTwice()
    {
        var once = new ServiceCollection();
        once.AddFluxDevices();
        var twice = new ServiceCollection();
        twice.AddFluxDevices();
        twice.AddFluxDevices(o => o.MaxMetadataBytes = 2048);

        // The second call adds only its Configure delegate.
        Assert.Equal(once.Count + 1, twice.Count);
        Assert.Single(twice, d => d.ServiceType == typeof(IConfigureOptions<FluxDevicesOptions>));
        Assert.Single(twice, d => d.ServiceType == typeof(IDeviceRegistry));
        Assert.Single(twice, d => d.ServiceType == typeof(IDeviceStore));
    }

    [Fact]
    public async Task AddFluxDevices_NoLoggingNoHost_ResolvesEverythingAndWorks()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var registry = provider.GetRequiredService<IDeviceRegistry>();
        _ = provider.GetRequiredService<IDeviceGroupService>();
        _ = provider.GetRequiredService<IMaintenanceService>();
        var device = await registry.RegisterAsync(SpecSamples.Bess());

        Assert.IsType<InMemoryDeviceStore>(provider.GetRequiredService<IDeviceStore>());
        Assert.Equal(device, await registry.GetAsync(device.Id));
    }

    [Fact]
    public async Task AddFluxDevices_TimeProviderInTheContainer_StampsEveryChange()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddFluxDevices();
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();

        var device = await registry.RegisterAsync(SpecSamples.Bess());
        time.Advance(TimeSpan.FromHours(1));
        var configured = await registry.FireAsync(device.Id, DeviceTrigger.DeployConfig);

        Assert.Equal(time.Start, device.CreatedAt);
        Assert.Equal(time.Start.AddHours(1), configured.UpdatedAt);
        Assert.Equal(time.Start.AddHours(1), (await registry.GetHistoryAsync(device.Id))[^1].Timestamp);
    }

    [Fact]
    public void UseStore_ReplacesTheDefaultStore()
    {
        var store = new InMemoryDeviceStore();
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(_ => store);
        services.AddFluxDevices();
        using var provider = services.BuildServiceProvider();

        Assert.Same(store, provider.GetRequiredService<IDeviceStore>());
        Assert.Single(services, d => d.ServiceType == typeof(IDeviceStore));
    }

    [Fact]
    public void AddNotifier_SameInstanceTwice_AddsItOnce()
    {
        var notifier = new Moq.Mock<Flux.Devices.Notifications.INotifier>().Object;
        var services = new ServiceCollection();

        services.AddFluxDevices().AddNotifier(notifier).AddNotifier(notifier);

        Assert.Single(services, d => ReferenceEquals(d.ImplementationInstance, notifier));
    }

    [Fact]
    public async Task ValidateOnStart_InvalidOptions_HostFailsToStartNamingTheOption()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices(o => o.MaxMetadataBytes = 10).AddDeviceType(DeviceTypeDefinition.Bess);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Failures, f => f.Contains(nameof(FluxDevicesOptions.MaxMetadataBytes), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("device type 'bess' is defined twice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateOnStart_ValidOptions_HostStartsAndServesTheRegistry()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices(o => o.MaxMetadataBytes = 4096);
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        var device = await host.Services.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Meter(), cancellationToken: TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal("WLCE-GRID-METER", device.Name);
    }
}
