using System.Diagnostics.Metrics;
using Flux.Devices.Modbus;
using Flux.Devices.Modbus.Client;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs the Modbus TCP client into <see cref="IFluxDevicesBuilder"/>.</summary>
public static class FluxDevicesBuilderModbusExtensions
{
    /// <summary>
    /// Uses the library's Modbus TCP client as the <see cref="IModbusTransport"/> (and for discovery's
    /// <see cref="IModbusTransportFactory"/>), replacing any transport plugged in before, and with it registers the health
    /// monitor and the scanner (<c>UseTransport</c>). Its options are validated when the host starts; it takes the
    /// container's <see cref="TimeProvider"/>, logger factory and meter factory.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the client's options; <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder.</returns>
    public static IFluxDevicesBuilder UseModbusTcp(this IFluxDevicesBuilder builder, Action<ModbusTcpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<ModbusTcpOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModbusTcpOptions>, ModbusTcpOptionsValidator>());
        return builder.UseTransport(
            static sp => new ModbusTcpTransport(
                sp.GetRequiredService<IOptions<ModbusTcpOptions>>().Value,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>(),
                sp.GetService<IMeterFactory>()),
            static sp => new ModbusTcpTransportFactory(
                sp.GetRequiredService<IOptions<ModbusTcpOptions>>().Value,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>(),
                sp.GetService<IMeterFactory>()));
    }
}
