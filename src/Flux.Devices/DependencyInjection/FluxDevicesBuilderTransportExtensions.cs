using Flux.Devices;
using Flux.Devices.Control;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Discovery;
using Flux.Devices.Health;
using Flux.Devices.Internal;
using Flux.Devices.Notifications;
using Flux.Devices.Storage;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs a Modbus transport into <see cref="IFluxDevicesBuilder"/>, and with it the services that talk to devices.</summary>
public static class FluxDevicesBuilderTransportExtensions
{
    /// <summary>What a service that needs a transport says when there is none.</summary>
    internal const string NoTransport =
        "call UseModbusTcp() on the AddFluxDevices builder (or UseTransport(...) with a transport of your own)";

    /// <summary>Makes the scanner; compared by reference to find the registration this class added.</summary>
    private static readonly Func<IServiceProvider, IDeviceScanner> ScannerFactory = static sp => new DeviceScanner(
        sp.GetService<IModbusTransportFactory>() ?? throw new InvalidOperationException(
            $"Discovery scans over Modbus and needs an IModbusTransportFactory: {NoTransport}."),
        sp.GetServices<IDeviceTypeProbe>(),
        sp.GetRequiredService<TimeProvider>(),
        (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(Flux.Devices.Diagnostics.FluxDevicesDiagnostics.DiscoveryCategory));

    /// <summary>
    /// Uses a Modbus transport, replacing any plugged in before (<c>UseModbusTcp()</c> calls this with its client), and
    /// registers what talks to devices: the health monitor (<see cref="IDeviceHealthMonitor"/>), control writes
    /// (<see cref="IDeviceControl"/>) and, with a
    /// <paramref name="factory"/>, the scanner (<see cref="IDeviceScanner"/>). <c>AddFluxDevices()</c> alone registers
    /// neither, so that every service it registers resolves.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="transport">Makes the transport shared by the container, once; the container disposes it.</param>
    /// <param name="factory">
    /// Makes the factory of transports of their own for the monitor and for scans, once; <see langword="null"/> when
    /// there is none: the monitor then polls over the shared transport and there is no scanner.
    /// </param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseTransport(
        this IFluxDevicesBuilder builder,
        Func<IServiceProvider, IModbusTransport> transport,
        Func<IServiceProvider, IModbusTransportFactory>? factory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(transport);
        var services = builder.Services;
        services.Replace(ServiceDescriptor.Singleton(transport));
        if (factory is not null)
        {
            services.Replace(ServiceDescriptor.Singleton(factory));
            services.TryAddSingleton(ScannerFactory);
        }
        else
        {
            // A transport without a factory replaces one with: the scanner this class added goes with the factory.
            services.RemoveAll<IModbusTransportFactory>();
            for (var i = services.Count - 1; i >= 0; i--)
            {
                if (services[i] is { ServiceType: var type, IsKeyedService: false } scanner && type == typeof(IDeviceScanner) && Equals(scanner.ImplementationFactory, ScannerFactory))
                {
                    services.RemoveAt(i);
                }
            }
        }

        services.TryAddSingleton<IDeviceHealthMonitor>(static sp => new DeviceHealthMonitor(
            DeviceStoreView.Capabilities(sp), // the host's own IHealthSampleStore, if any, gets the samples
            sp.GetRequiredService<IDeviceRegistry>(),
            PollingTransport(sp),
            sp.GetRequiredService<IOptions<DeviceHealthOptions>>().Value,
            sp.GetRequiredService<NotificationDispatcher>(),
            sp.GetServices<IDeviceHealthObserver>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<Flux.Devices.Telemetry.Internal.DeviceTelemetry>(),
            sp.GetService<ITelemetryStore>(), // registered by a store that keeps telemetry; without one, readings stay in memory
            LeaseStore(sp))); // registered by a store that keeps leases (PostgreSQL)
        services.TryAddSingleton<IDeviceControl>(static sp => new DeviceControl(
            sp.GetRequiredService<IDeviceRegistryStore>(),
            sp.GetRequiredService<IModbusTransport>(), // control writes go over the shared transport, which never replays a write
            sp.GetRequiredService<IRegisterMapProvider>(),
            sp.GetRequiredService<DeviceControlGate>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        return builder;
    }

    /// <summary>The store's lease capability: the one registered (<c>UsePostgres</c>), or the device store's own (<c>UseStore</c>) when it has one.</summary>
    internal static IDeviceLeaseStore? LeaseStore(IServiceProvider services) =>
        services.GetService<IDeviceLeaseStore>() ?? services.GetService<IDeviceStore>() as IDeviceLeaseStore;

    /// <summary>
    /// The monitor's transport: its own from the factory when there is one (the template's deadlines and retries are then
    /// the only ones), else the container's transport, shared (whose own retries then run within each attempt).
    /// </summary>
    private static (IModbusTransport Transport, bool Owned) PollingTransport(IServiceProvider services) =>
        services.GetService<IModbusTransportFactory>() is { } factory
            ? (factory.CreatePollingTransport(), true)
            : (services.GetService<IModbusTransport>() ?? throw new InvalidOperationException(
                $"The health monitor polls devices over Modbus and needs a transport: {NoTransport}."), false);
}
