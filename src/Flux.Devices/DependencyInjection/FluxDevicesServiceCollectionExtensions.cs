using Flux.Devices;
using Flux.Devices.Discovery;
using Flux.Devices.Groups;
using Flux.Devices.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Notifications;
using Flux.Devices.RegisterMaps;
using Flux.Devices.RegisterMaps.Internal;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Telemetry.Internal;
using Flux.Devices.Templates;
using Flux.Devices.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Flux.Devices registry in a service collection.</summary>
public static class FluxDevicesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the device registry (<see cref="IDeviceRegistry"/>), groups (<see cref="IDeviceGroupService"/>),
    /// maintenance (<see cref="IMaintenanceService"/>, scheduled windows with <see cref="IMaintenanceScheduler"/>), templates (<see cref="DeviceTemplateLoader"/>,
    /// <see cref="IDeviceTemplateService"/>), register maps (<see cref="IRegisterMapProvider"/>), the health monitor
    /// options, telemetry (<see cref="IDeviceTelemetry"/>: the latest readings and subscriptions, fed by the monitor), discovery (<see cref="IDeviceDiscoveryService"/>, whose scans need a transport) and, unless another store
    /// is plugged in, the <see cref="InMemoryDeviceStore"/>. The services that talk to devices, the health monitor
    /// (<see cref="Flux.Devices.Health.IDeviceHealthMonitor"/>) and the scanner (<see cref="IDeviceScanner"/>), come with
    /// a transport: <c>UseModbusTcp()</c> (or <c>UseTransport(...)</c>). Every service registered resolves.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder, to plug in stores, device types, observers and notifiers.</returns>
    /// <remarks>
    /// <para>
    /// Calling it again registers nothing twice. Options are validated when the host starts
    /// (<c>ValidateOnStart</c>), or on first use without a host. Timestamps come from the
    /// <see cref="TimeProvider"/> in the container (<see cref="TimeProvider.System"/> unless the host registers
    /// another), and logs go to the <c>ILoggerFactory</c> in the container, if any.
    /// </para>
    /// </remarks>
    public static IFluxDevicesBuilder AddFluxDevices(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(FluxDevicesMarker)))
        {
            services.AddSingleton<FluxDevicesMarker>();
            services.TryAddSingleton(TimeProvider.System);
            services.AddOptions<FluxDevicesOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FluxDevicesOptions>, FluxDevicesOptionsValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FluxDevicesOptions>, FluxDevicesOptionsCustomValidator>());

            services.TryAddSingleton<IDeviceStore, InMemoryDeviceStore>();
            DeviceStoreView.AddCapabilities(services);
            services.TryAddSingleton<DeviceTypeCatalog>();
            services.TryAddSingleton<RegisterMapFolders>();
            services.TryAddSingleton<RegisterMapCatalog>();
            services.TryAddSingleton<IRegisterMapProvider>(static sp => sp.GetRequiredService<RegisterMapCatalog>());
            services.TryAddSingleton(static sp => new DeviceTemplateLoader(
                sp.GetRequiredService<IRegisterMapProvider>(),
                sp.GetRequiredService<DeviceTypeCatalog>().All.Select(t => t.Name)));
            services.TryAddSingleton<IDeviceTemplateService, DeviceTemplateService>();
            services.TryAddSingleton<Flux.Devices.Control.DeviceControlGate>();
            services.TryAddSingleton<DeviceRegistry>();
            services.TryAddSingleton<IDeviceRegistry>(static sp => sp.GetRequiredService<DeviceRegistry>());
            services.TryAddSingleton<IDeviceGroupService, DeviceGroupService>();
            services.TryAddSingleton<IMaintenanceService, MaintenanceService>();

            services.TryAddSingleton<NotificationDispatcher>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, LoggingNotifier>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceLifecycleObserver, NotifyingLifecycleObserver>());
            FluxDevicesHealthExtensions.AddHealthMonitorCore(services);
            services.TryAddSingleton(static sp => new DeviceTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
            services.TryAddSingleton<IDeviceTelemetry>(static sp => sp.GetRequiredService<DeviceTelemetry>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceLifecycleObserver, TelemetryLifecycleObserver>());
            FluxDevicesRetentionExtensions.AddRetentionCore(services);
            FluxDevicesMaintenanceScheduleExtensions.AddMaintenanceScheduleCore(services);
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceTypeProbe, SunSpecProbe>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceTypeProbe, DeviceIdentificationProbe>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceTypeProbe, FingerprintProbe>());
            services.TryAddSingleton<IDeviceDiscoveryService>(static sp => new DeviceDiscoveryService(
                () => sp.GetService<IDeviceScanner>() ?? throw new InvalidOperationException( // resolved on the first scan: registering a found device needs no transport
                    $"Discovery scans over Modbus and needs a transport factory: {FluxDevicesBuilderTransportExtensions.NoTransport}."),
                sp.GetRequiredService<IDeviceRegistry>(),
                sp.GetRequiredService<DeviceRegistry>(), // a dry run's checks: the registry's own, without the write
                sp.GetRequiredService<TimeProvider>()));
        }

        return new FluxDevicesBuilder(services);
    }

    /// <summary>Registers the device registry and configures its options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; each call adds to the ones before.</param>
    /// <returns>The builder, to plug in stores, device types, observers and notifiers.</returns>
    /// <remarks>See <see cref="AddFluxDevices(IServiceCollection)"/>.</remarks>
    public static IFluxDevicesBuilder AddFluxDevices(this IServiceCollection services, Action<FluxDevicesOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddFluxDevices();
        services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Registers the device registry and binds its options from a configuration section (for example
    /// <c>builder.Configuration.GetSection("FluxDevices:Registry")</c>). The keys are <see cref="FluxDevicesOptions"/>'s
    /// bindable properties: <c>MaxMetadataBytes</c>, <c>TriggerConflictRetries</c> and <c>RegisterMapDirectories</c>
    /// (an array of folders); device types and register maps are added in code.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to bind; each call adds to the configuration before.</param>
    /// <returns>The builder, to plug in stores, device types, observers and notifiers.</returns>
    /// <remarks>
    /// The section is read when the options are first needed (at start with a host, <c>ValidateOnStart</c>): a key the
    /// options do not have, or a value that does not convert, fails the start with an error naming the key, and a value
    /// out of range fails validation naming it. See <see cref="AddFluxDevices(IServiceCollection)"/>.
    /// </remarks>
    public static IFluxDevicesBuilder AddFluxDevices(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddFluxDevices();
        services.Configure<FluxDevicesOptions>(options => FluxDevicesOptionsSection.Read(configuration).ApplyTo(options));
        return builder;
    }

    /// <summary>Marks a collection in which the core services are already registered.</summary>
    private sealed class FluxDevicesMarker;

    private sealed record FluxDevicesBuilder(IServiceCollection Services) : IFluxDevicesBuilder;
}
