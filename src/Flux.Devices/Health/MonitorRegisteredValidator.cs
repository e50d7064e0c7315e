using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Health;

/// <summary>
/// Fails options validation (so the host's start, with <c>ValidateOnStart</c>) when <c>AddHealthMonitor()</c> or the
/// fleet health check is added but no transport brought the monitor they need.
/// </summary>
internal sealed class MonitorRegisteredValidator(IServiceProviderIsService services) : IValidateOptions<DeviceHealthOptions>
{
    /// <summary>The reason, naming the call to add.</summary>
    public static string Message =>
        $"The health monitor (AddHealthMonitor(), the flux_devices health check) polls devices over Modbus and needs a transport: {FluxDevicesBuilderTransportExtensions.NoTransport}.";

    /// <summary>Gets the container's monitor, or throws naming the call to add.</summary>
    /// <param name="services">The container.</param>
    /// <returns>The monitor.</returns>
    public static IDeviceHealthMonitor Monitor(IServiceProvider services) =>
        services.GetService<IDeviceHealthMonitor>() ?? throw new InvalidOperationException(Message);

    public ValidateOptionsResult Validate(string? name, DeviceHealthOptions options) =>
        services.IsService(typeof(IDeviceHealthMonitor)) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(Message);
}
