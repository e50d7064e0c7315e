using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Flux.Devices.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs health monitoring into <see cref="IFluxDevicesBuilder"/> and the host's health checks.</summary>
public static class FluxDevicesHealthExtensions
{
    /// <summary>
    /// Runs the health monitor (<see cref="IDeviceHealthMonitor"/>) as a hosted service for the life of the host, and
    /// configures it. With <c>UseModbusTcp()</c> the monitor polls over a Modbus TCP client of its own (one connection per
    /// device, the client options' settings, no retries or deadlines but the templates'); with another
    /// <see cref="IModbusTransport"/> it polls over that one.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the monitor; <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Without this call <see cref="IDeviceHealthMonitor"/> is still available with a transport, to poll on demand with
    /// <see cref="IDeviceHealthMonitor.CheckAsync"/>. Without a transport the host fails to start, naming <c>UseModbusTcp()</c>.
    /// </remarks>
#pragma warning disable RS0027 // The optional parameter stays for binary compatibility; AddHealthMonitor() still means this overload.
    public static IFluxDevicesBuilder AddHealthMonitor(this IFluxDevicesBuilder builder, Action<DeviceHealthOptions>? configure = null)
#pragma warning restore RS0027
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, HealthMonitorService>());
        RequireMonitor(builder.Services);
        return builder;
    }

    /// <summary>
    /// Runs the health monitor as a hosted service, as <see cref="AddHealthMonitor(IFluxDevicesBuilder, Action{DeviceHealthOptions}?)"/>,
    /// and binds its options from a configuration section (for example <c>builder.Configuration.GetSection("FluxDevices:Health")</c>).
    /// The keys are <see cref="DeviceHealthOptions"/>'s properties (<c>DefaultPollingInterval</c>, <c>DefaultTimeout</c>,
    /// <c>DefaultRetryCount</c>, <c>DegradedThreshold</c>, <c>MaxConcurrentPolls</c>, <c>RefreshInterval</c>,
    /// <c>SampleBatchSize</c>, <c>MaxPendingSamples</c>, <c>TelemetryBatchSize</c>, <c>MaxPendingReadings</c>,
    /// <c>UnhealthyOfflineRatio</c>); durations are written as
    /// <see cref="TimeSpan"/>s (<c>"00:00:30"</c>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The section to bind.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// The section is read at start: a key the options do not have, or a value that does not convert, fails the start
    /// with an error naming the key, and a value out of range fails validation naming it.
    /// </remarks>
    public static IFluxDevicesBuilder AddHealthMonitor(this IFluxDevicesBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<DeviceHealthOptions>().Bind(configuration, static binder => binder.ErrorOnUnknownConfiguration = true);
        return builder.AddHealthMonitor();
    }

    /// <summary>Adds a health observer, created by the container as a singleton; adding the same type twice adds it once.</summary>
    /// <typeparam name="TObserver">The observer.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddHealthObserver<TObserver>(this IFluxDevicesBuilder builder)
        where TObserver : class, IDeviceHealthObserver
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeviceHealthObserver, TObserver>());
        return builder;
    }

    /// <summary>Adds a health observer instance; the caller keeps ownership (it is not disposed).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="observer">The observer.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder AddHealthObserver(this IFluxDevicesBuilder builder, IDeviceHealthObserver observer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(observer);
        builder.Services.AddSingleton(observer);
        return builder;
    }

    /// <summary>
    /// Adds a health check that reports the device fleet: healthy, degraded, or <paramref name="failureStatus"/> when
    /// the share of offline devices reaches <see cref="DeviceHealthOptions.UnhealthyOfflineRatio"/>, with the counts
    /// and the worst devices in its data. It reads the monitor's cached state and does no device I/O.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status reported when too many devices are offline; <see langword="null"/> for Unhealthy.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <param name="timeout">The check's timeout; <see langword="null"/> for none.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>The check needs the health monitor, which comes with a transport: without one the host fails to start, naming <c>UseModbusTcp()</c>.</remarks>
    public static IHealthChecksBuilder AddFluxDevices(
        this IHealthChecksBuilder builder,
        string name = "flux_devices",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        RequireMonitor(builder.Services);
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => new FleetHealthCheck(MonitorRegisteredValidator.Monitor(sp), sp.GetRequiredService<IOptions<DeviceHealthOptions>>().Value),
            failureStatus,
            tags,
            timeout));
    }

    /// <summary>Registers the monitor's options; part of <c>AddFluxDevices</c> (the monitor itself comes with a transport).</summary>
    internal static void AddHealthMonitorCore(IServiceCollection services)
    {
        services.AddOptions<DeviceHealthOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceHealthOptions>, DeviceHealthOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceHealthOptions>, DeviceHealthOptionsRulesValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceHealthOptions>, DeviceLeaseStoreValidator>());
    }

    /// <summary>Makes the host fail at start, naming the call to add, when what needs the monitor has no transport.</summary>
    private static void RequireMonitor(IServiceCollection services)
    {
        services.AddOptions<DeviceHealthOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeviceHealthOptions>, MonitorRegisteredValidator>());
    }
}
