using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the maintenance schedule's hosted service into <see cref="IFluxDevicesBuilder"/>.</summary>
public static class FluxDevicesMaintenanceScheduleExtensions
{
    /// <summary>
    /// Runs the scheduled maintenance windows (<see cref="IMaintenanceScheduler"/>) in a hosted service: at start, then
    /// every <see cref="MaintenanceScheduleOptions.Interval"/> (30 seconds by default), on the container's
    /// <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the interval; <see langword="null"/> for the default.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Without this call windows can still be scheduled, listed and cancelled (<see cref="IMaintenanceScheduler"/> is part
    /// of <c>AddFluxDevices</c>), but nothing starts or ends them: that is what a short-lived process (a CLI call) wants.
    /// The store must have <see cref="IMaintenanceScheduleStore"/> (the library's stores do).
    /// </remarks>
    public static IFluxDevicesBuilder AddMaintenanceSchedule(this IFluxDevicesBuilder builder, Action<MaintenanceScheduleOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MaintenanceScheduleService>());
        return builder;
    }

    /// <summary>Registers the options, the store capability and <see cref="IMaintenanceScheduler"/>; part of <c>AddFluxDevices</c>.</summary>
    internal static void AddMaintenanceScheduleCore(IServiceCollection services)
    {
        services.AddOptions<MaintenanceScheduleOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MaintenanceScheduleOptions>, MaintenanceScheduleOptionsValidator>());
        services.TryAddSingleton<IMaintenanceScheduleStore>(static sp => sp.GetRequiredService<IDeviceStore>() as IMaintenanceScheduleStore
            ?? throw new InvalidOperationException(
                $"The device store ({sp.GetRequiredService<IDeviceStore>().GetType().Name}) cannot keep maintenance windows: it does not implement {nameof(IMaintenanceScheduleStore)}. " +
                "Implement it (and run the maintenance schedule contract of Flux.Devices.Testing), or register an IMaintenanceScheduleStore of your own."));
        services.TryAddSingleton<IMaintenanceScheduler, MaintenanceScheduler>();
    }
}
