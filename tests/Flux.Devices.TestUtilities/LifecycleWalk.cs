using Flux.Devices.Testing.Internal;

namespace Flux.Devices.TestUtilities;

/// <summary>Brings a device to a lifecycle state the way a deployment and a poller would.</summary>
public static class LifecycleWalk
{
    /// <summary>Registers a device and fires the triggers that walk it to Registered, Configured, Testing or Active.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="device">The device to register.</param>
    /// <param name="state">The state to stop in.</param>
    /// <returns>The device in that state.</returns>
    public static Task<Device> WalkToAsync(this IDeviceRegistry registry, NewDevice device, DeviceState state) =>
        ContractWalk.WalkToAsync(registry, device, state);
}
