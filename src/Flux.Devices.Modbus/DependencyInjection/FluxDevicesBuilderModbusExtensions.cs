using System.Diagnostics.Metrics;
using Flux.Devices.Modbus;
using Flux.Devices.Modbus.Client;
using Flux.Devices.Transport;
using Microsoft.Extensions.Configuration;
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
#pragma warning disable RS0027 // The optional parameter stays for binary compatibility; UseModbusTcp() still means this overload.
    public static IFluxDevicesBuilder UseModbusTcp(this IFluxDevicesBuilder builder, Action<ModbusTcpOptions>? configure = null)
#pragma warning restore RS0027
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = AddValidatedOptions(builder.Services, Options.Options.DefaultName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.UseTransport(
            static sp => CreateTransport(sp, sp.GetRequiredService<IOptions<ModbusTcpOptions>>().Value),
            static sp => new ModbusTcpTransportFactory(
                sp.GetRequiredService<IOptions<ModbusTcpOptions>>().Value,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>(),
                sp.GetService<IMeterFactory>()));
    }

    /// <summary>
    /// Uses the Modbus TCP client as <see cref="UseModbusTcp(IFluxDevicesBuilder, Action{ModbusTcpOptions}?)"/> does, with
    /// its options bound from a configuration section (for example <c>builder.Configuration.GetSection("FluxDevices:Modbus")</c>).
    /// The keys are <see cref="ModbusTcpOptions"/>'s properties (<c>RequestTimeout</c>, <c>ConnectTimeout</c>,
    /// <c>RetryCount</c>, <c>RetryDelay</c>, <c>MaxRetryDelay</c>, <c>MaxRequestsInFlight</c>, <c>MinimumRequestGap</c>,
    /// <c>ConnectDelay</c>, <c>TimeoutsBeforeReconnect</c>, <c>StrictUnitId</c>, and <c>Tls</c> with
    /// <see cref="ModbusTlsOptions"/>'s file settings: <c>Tls:CertificateFile</c>, <c>Tls:KeyFile</c>, <c>Tls:CertificatePassword</c>,
    /// <c>Tls:CertificateThumbprint</c>, <c>Tls:TrustedCertificateAuthoritiesFile</c>, <c>Tls:TargetHost</c>, <c>Tls:CheckRevocation</c>);
    /// durations are written as <see cref="TimeSpan"/>s (<c>"00:00:03"</c>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The section to bind.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// The section is read at start: a key the options do not have, or a value that does not convert, fails the start
    /// with an error naming the key, and a value out of range fails validation naming it.
    /// </remarks>
    public static IFluxDevicesBuilder UseModbusTcp(this IFluxDevicesBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.AddOptions<ModbusTcpOptions>().Bind(configuration, static binder => binder.ErrorOnUnknownConfiguration = true);
        return builder.UseModbusTcp();
    }

    /// <summary>
    /// Adds a named Modbus TCP client profile: an <see cref="IModbusTransport"/> of its own with its own options (the
    /// named <see cref="ModbusTcpOptions"/> <paramref name="name"/>), registered as a keyed service under
    /// <paramref name="name"/>, beside the transport of <c>UseModbusTcp()</c>, which the health monitor and discovery keep using.
    /// Two profiles (a slow gateway, a fast direct link) so have different timeouts side by side. Resolve one with
    /// <c>GetRequiredKeyedService&lt;IModbusTransport&gt;(name)</c> or <c>[FromKeyedServices(name)]</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The profile's name, the key of its transport and the name of its options.</param>
    /// <param name="configure">Configures the profile's options; each call for a name adds to the ones before.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>The profile's options are validated when the host starts; the container disposes its transport.</remarks>
    public static IFluxDevicesBuilder AddModbusTcpProfile(this IFluxDevicesBuilder builder, string name, Action<ModbusTcpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddProfile(builder, name).Configure(configure);
        return builder;
    }

    /// <summary>
    /// Adds a named Modbus TCP client profile, as <see cref="AddModbusTcpProfile(IFluxDevicesBuilder, string, Action{ModbusTcpOptions})"/>
    /// does, with its options bound from a configuration section (for example
    /// <c>builder.Configuration.GetSection("FluxDevices:ModbusProfiles:gateway-a")</c>), with the keys of
    /// <see cref="UseModbusTcp(IFluxDevicesBuilder, IConfiguration)"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The profile's name, the key of its transport and the name of its options.</param>
    /// <param name="configuration">The section to bind.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// The section is read at start: a key the options do not have, or a value that does not convert, fails the start
    /// with an error naming the key, and a value out of range fails validation naming it.
    /// </remarks>
    public static IFluxDevicesBuilder AddModbusTcpProfile(this IFluxDevicesBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddProfile(builder, name).Bind(configuration, static binder => binder.ErrorOnUnknownConfiguration = true);
        return builder;
    }

    /// <summary>Registers a profile's validated options and its keyed transport (once per name).</summary>
    private static OptionsBuilder<ModbusTcpOptions> AddProfile(IFluxDevicesBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = AddValidatedOptions(builder.Services, name);
        builder.Services.TryAddKeyedSingleton<IModbusTransport>(name, static (sp, key) =>
            CreateTransport(sp, sp.GetRequiredService<IOptionsMonitor<ModbusTcpOptions>>().Get((string)key!)));
        return options;
    }

    /// <summary>The options of <paramref name="name"/>, validated when the host starts.</summary>
    private static OptionsBuilder<ModbusTcpOptions> AddValidatedOptions(IServiceCollection services, string name)
    {
        var options = services.AddOptions<ModbusTcpOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModbusTcpOptions>, ModbusTcpOptionsValidator>());
        return options;
    }

    private static ModbusTcpTransport CreateTransport(IServiceProvider services, ModbusTcpOptions options) => new(
        options,
        services.GetService<TimeProvider>(),
        services.GetService<ILoggerFactory>(),
        services.GetService<IMeterFactory>());
}
