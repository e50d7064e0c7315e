using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs retention (deleting old health samples and telemetry) into <see cref="IFluxDevicesBuilder"/>.</summary>
public static class FluxDevicesRetentionExtensions
{
    /// <summary>
    /// Deletes health samples and telemetry older than their windows (<see cref="RetentionOptions"/>, 30 days each by
    /// default) in a hosted service: at start, then every <see cref="RetentionOptions.Interval"/>, in batches of
    /// <see cref="RetentionOptions.BatchSize"/> rows.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the windows; <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// Without this call nothing is deleted by itself; <see cref="IDataRetention"/> is still registered, to run once
    /// (as <c>flux retention run</c> does). A store of a series with a window must have <see cref="IRetentionStore"/>
    /// (the library's stores do); a failed run is logged and tried again at the next interval.
    /// </remarks>
    public static IFluxDevicesBuilder AddRetention(this IFluxDevicesBuilder builder, Action<RetentionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RetentionService>());
        return builder;
    }

    /// <summary>Registers the retention options, the store capability and <see cref="IDataRetention"/>; part of <c>AddFluxDevices</c>.</summary>
    internal static void AddRetentionCore(IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>());
        services.TryAddSingleton<IRetentionStore>(static sp => (IRetentionStore)DeviceStoreView.Capabilities(sp));
        services.TryAddSingleton<IDataRetention, DataRetention>();
    }
}
