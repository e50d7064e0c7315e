using Flux.Devices.Discovery;
using Flux.Devices;
using Flux.Devices.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.Notifications;
using Flux.Devices.RegisterMaps;
using Flux.Devices.RegisterMaps.Internal;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs stores, device types, lifecycle observers and notifiers into <see cref="IFluxDevicesBuilder"/>.</summary>
public static class FluxDevicesBuilderExtensions
{
    /// <summary>Uses the <see cref="InMemoryDeviceStore"/> (the default), replacing any store plugged in before.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseInMemoryStore(this IFluxDevicesBuilder builder) =>
        builder.UseStore<InMemoryDeviceStore>();

    /// <summary>Uses a store type, created by the container as a singleton, replacing any store plugged in before.</summary>
    /// <typeparam name="TStore">The store.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseStore<TStore>(this IFluxDevicesBuilder builder)
        where TStore : class, IDeviceStore =>
        Replace(builder, ServiceDescriptor.Singleton<IDeviceStore, TStore>());

    /// <summary>Uses a store instance, replacing any store plugged in before. The caller keeps ownership: the container does not dispose it.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseStore(this IFluxDevicesBuilder builder, IDeviceStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Replace(builder, ServiceDescriptor.Singleton(store));
    }

    /// <summary>Uses a store made by a factory, once, replacing any store plugged in before. The container disposes it.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the store from the container.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseStore(this IFluxDevicesBuilder builder, Func<IServiceProvider, IDeviceStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Replace(builder, ServiceDescriptor.Singleton(factory));
    }

    /// <summary>
    /// Keeps health samples in a store type of the host's (a time-series database), created by the container as a
    /// singleton, while devices and groups stay in the store plugged in with <c>UseStore</c>, <c>UseSqlite</c> or
    /// <c>UsePostgres</c>; replaces any sample store plugged in before.
    /// </summary>
    /// <typeparam name="TStore">The sample store.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Without this call the samples go to the main store. The health monitor writes and reads its samples here;
    /// check the store with the health-sample contract of the Flux.Devices.Testing package.
    /// </remarks>
    public static IFluxDevicesBuilder UseHealthSampleStore<TStore>(this IFluxDevicesBuilder builder)
        where TStore : class, IHealthSampleStore =>
        Replace(builder, ServiceDescriptor.Singleton<IHealthSampleStore, TStore>());

    /// <summary>
    /// Keeps health samples in a store made by a factory, once (the container disposes it), while devices and groups
    /// stay in the main store; replaces any sample store plugged in before.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the sample store from the container.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>See <see cref="UseHealthSampleStore{TStore}(IFluxDevicesBuilder)"/>.</remarks>
    public static IFluxDevicesBuilder UseHealthSampleStore(this IFluxDevicesBuilder builder, Func<IServiceProvider, IHealthSampleStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Replace(builder, ServiceDescriptor.Singleton(factory));
    }

    /// <summary>
    /// Keeps telemetry readings in a store type of the host's (a time-series database), created by the container as a
    /// singleton, while devices and groups stay in the store plugged in with <c>UseStore</c>, <c>UseSqlite</c> or
    /// <c>UsePostgres</c>; replaces any telemetry store plugged in before.
    /// </summary>
    /// <typeparam name="TStore">The telemetry store.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Without this call the readings go to the main store. Check the store with the telemetry contract of the
    /// Flux.Devices.Testing package.
    /// </remarks>
    public static IFluxDevicesBuilder UseTelemetryStore<TStore>(this IFluxDevicesBuilder builder)
        where TStore : class, ITelemetryStore =>
        Replace(builder, ServiceDescriptor.Singleton<ITelemetryStore, TStore>());

    /// <summary>
    /// Keeps telemetry readings in a store made by a factory, once (the container disposes it), while devices and groups
    /// stay in the main store; replaces any telemetry store plugged in before.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Makes the telemetry store from the container.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>See <see cref="UseTelemetryStore{TStore}(IFluxDevicesBuilder)"/>.</remarks>
    public static IFluxDevicesBuilder UseTelemetryStore(this IFluxDevicesBuilder builder, Func<IServiceProvider, ITelemetryStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Replace(builder, ServiceDescriptor.Singleton(factory));
    }

    /// <summary>Adds a device type with its metadata rules.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="definition">The type.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>A type name may be defined once; adding a second definition for a name fails options validation at start.</remarks>
    public static IFluxDevicesBuilder AddDeviceType(this IFluxDevicesBuilder builder, DeviceTypeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(definition);
        builder.Services.Configure<FluxDevicesOptions>(options => options.DeviceTypes.Add(definition));
        return builder;
    }

    /// <summary>Adds a lifecycle observer, created by the container as a singleton; adding the same type twice adds it once.</summary>
    /// <typeparam name="TObserver">The observer.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddLifecycleObserver<TObserver>(this IFluxDevicesBuilder builder)
        where TObserver : class, IDeviceLifecycleObserver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceLifecycleObserver, TObserver>());
        return builder;
    }

    /// <summary>Adds a notifier, created by the container as a singleton; adding the same type twice adds it once.</summary>
    /// <typeparam name="TNotifier">The notifier.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddNotifier<TNotifier>(this IFluxDevicesBuilder builder)
        where TNotifier : class, INotifier
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotifier, TNotifier>());
        return builder;
    }

    /// <summary>Adds a notifier instance; adding the same instance twice adds it once. The caller keeps ownership (it is not disposed).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="notifier">The notifier.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddNotifier(this IFluxDevicesBuilder builder, INotifier notifier)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(notifier);
        if (!builder.Services.Any(d => d.ServiceType == typeof(INotifier) && ReferenceEquals(d.ImplementationInstance, notifier)))
        {
            builder.Services.AddSingleton(notifier);
        }

        return builder;
    }

    /// <summary>Adds a register map, found by name through <see cref="IRegisterMapProvider"/> exactly like a built-in one (and shadowing a built-in of the same name).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="map">The map.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>A name may be added once; adding it twice fails options validation at start.</remarks>
    public static IFluxDevicesBuilder AddRegisterMap(this IFluxDevicesBuilder builder, RegisterMap map)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(map);
        builder.Services.Configure<FluxDevicesOptions>(options => options.RegisterMaps.Add(map));
        return builder;
    }

    /// <summary>
    /// Reads the <c>*.yaml</c> and <c>*.yml</c> files of a folder as register maps (keys under <c>register_map</c>:
    /// <c>name</c>, <c>description</c>, <c>scaling</c>, <c>registers</c>, as <see cref="Flux.Devices.Templates.DeviceTemplateLoader.LoadRegisterMap"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The folder; it must exist when the host starts.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddRegisterMapsFromDirectory(this IFluxDevicesBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        builder.Services.Configure<FluxDevicesOptions>(options => options.RegisterMapDirectories.Add(full));
        return builder;
    }

    /// <summary>
    /// Adds a provider of register maps (a database of maps, a vendor catalogue), created by the container as a
    /// singleton and asked after the maps added in code and folders and before the built-ins. Adding the same type
    /// twice adds it once.
    /// </summary>
    /// <typeparam name="TProvider">The provider.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddRegisterMapProvider<TProvider>(this IFluxDevicesBuilder builder)
        where TProvider : class, IRegisterMapProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TProvider>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<RegisterMapSource, RegisterMapSource<TProvider>>());
        return builder;
    }

    /// <summary>
    /// Adds a device type probe, asked after the built-in ones (SunSpec, then Read Device Identification matched against
    /// the scan's templates, then the templates' <c>identify</c> fingerprints); adding the same type twice adds it once.
    /// </summary>
    /// <typeparam name="TProbe">The probe, created by the container as a singleton.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddDeviceTypeProbe<TProbe>(this IFluxDevicesBuilder builder)
        where TProbe : class, IDeviceTypeProbe
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceTypeProbe, TProbe>());
        return builder;
    }

    /// <summary>Plugs a service in place of any registered before (a store, a capability of one).</summary>
    private static IFluxDevicesBuilder Replace(IFluxDevicesBuilder builder, ServiceDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(descriptor);
        return builder;
    }
}
