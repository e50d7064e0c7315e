namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>AddFluxDevices</c>: the place where stores, transports, register maps, device types,
/// observers and notifiers are plugged in. Every plug-in method returns the same builder.
/// </summary>
public interface IFluxDevicesBuilder
{
    /// <summary>Gets the service collection Flux.Devices is registered in.</summary>
    IServiceCollection Services { get; }
}
