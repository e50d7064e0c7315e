namespace Flux.Devices.Testing.Internal;

/// <summary>Brings a device to a lifecycle state the way a deployment and a poller would.</summary>
internal static class ContractWalk
{
    private static readonly DeviceTrigger[] Path = [DeviceTrigger.DeployConfig, DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded];

    /// <summary>Registers a device and fires the triggers that walk it to Registered, Configured, Testing or Active.</summary>
    public static async Task<Device> WalkToAsync(IDeviceRegistry registry, NewDevice device, DeviceState state)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var current = await registry.RegisterAsync(device);
        foreach (var trigger in Path)
        {
            if (current.State == state)
            {
                break;
            }

            current = await registry.FireAsync(current.Id, trigger);
        }

        Assert.Equal(state, current.State);
        return current;
    }
}
