using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flux.Devices.Storage;

/// <summary>
/// The stores as the container hands them to the library's services: the registered <see cref="IDeviceStore"/> seen
/// as each capability (the default of <see cref="IDeviceRegistryStore"/>, <see cref="IDeviceGroupStore"/>,
/// <see cref="IHealthSampleStore"/> and <see cref="ITelemetryStore"/>), and the capabilities put together again for a
/// service that takes the whole store (the health monitor), so that a host's own <see cref="IHealthSampleStore"/> gets
/// the samples and its own <see cref="ITelemetryStore"/> the readings.
/// </summary>
/// <remarks>
/// A view is not disposable, so the container does not dispose the store through it: the store's own registration
/// owns it (and does not dispose an instance the host gave).
/// </remarks>
internal sealed class DeviceStoreView : DelegatingDeviceStore
{
    private DeviceStoreView(IDeviceStore store)
        : base(store)
    {
    }

    private DeviceStoreView(IDeviceRegistryStore devices, IDeviceGroupStore groups, IHealthSampleStore healthSamples, ITelemetryStore telemetry)
        : base(devices, groups, healthSamples, telemetry)
    {
    }

    /// <summary>Registers the capabilities, each forwarding to the registered <see cref="IDeviceStore"/> unless replaced.</summary>
    /// <param name="services">The service collection.</param>
    public static void AddCapabilities(IServiceCollection services)
    {
        services.AddSingleton(static sp => new MainStore(new DeviceStoreView(sp.GetRequiredService<IDeviceStore>())));
        services.TryAddSingleton<IDeviceRegistryStore>(static sp => sp.GetRequiredService<MainStore>().View);
        services.TryAddSingleton<IDeviceGroupStore>(static sp => sp.GetRequiredService<MainStore>().View);
        services.TryAddSingleton<IHealthSampleStore>(static sp => sp.GetRequiredService<MainStore>().View);
        services.TryAddSingleton<ITelemetryStore>(static sp => sp.GetRequiredService<MainStore>().View);
        services.AddSingleton(static sp => new CapabilityStore(new DeviceStoreView(
            sp.GetRequiredService<IDeviceRegistryStore>(),
            sp.GetRequiredService<IDeviceGroupStore>(),
            sp.GetRequiredService<IHealthSampleStore>(),
            sp.GetRequiredService<ITelemetryStore>())));
    }

    /// <summary>Gets the store for a service that takes every capability: each from its own registration.</summary>
    /// <param name="services">The container.</param>
    /// <returns>The store.</returns>
    public static IDeviceStore Capabilities(IServiceProvider services) => services.GetRequiredService<CapabilityStore>().View;

    /// <summary>The registered store, as a view the container does not dispose.</summary>
    private sealed record MainStore(DeviceStoreView View);

    /// <summary>The capabilities as registered, put together.</summary>
    private sealed record CapabilityStore(DeviceStoreView View);
}
