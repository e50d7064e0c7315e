namespace Flux.Devices.Lifecycle;

/// <summary>A trigger was fired in a state that does not permit it; the device was not changed.</summary>
public sealed class InvalidLifecycleTransitionException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="InvalidLifecycleTransitionException"/> class.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="state">The state it was in.</param>
    /// <param name="trigger">The trigger that was refused.</param>
    public InvalidLifecycleTransitionException(Guid deviceId, DeviceState state, DeviceTrigger trigger)
        : base(FormatMessage(deviceId, state, trigger))
    {
        DeviceId = deviceId;
        State = state;
        Trigger = trigger;
    }

    /// <summary>Gets the device.</summary>
    public Guid DeviceId { get; }

    /// <summary>Gets the state the device was in.</summary>
    public DeviceState State { get; }

    /// <summary>Gets the trigger that was refused.</summary>
    public DeviceTrigger Trigger { get; }

    /// <summary>Gets the triggers the state does permit.</summary>
    public IReadOnlyList<DeviceTrigger> PermittedTriggers => DeviceLifecycle.GetPermittedTriggers(State);

    private static string FormatMessage(Guid deviceId, DeviceState state, DeviceTrigger trigger)
    {
        var permitted = DeviceLifecycle.GetPermittedTriggers(state);
        var hint = permitted.Count == 0
            ? $"{state} is a terminal state"
            : $"{state} permits {string.Join(", ", permitted)}";
        return $"Device {deviceId} is {state}: trigger {trigger} is not permitted ({hint}).";
    }
}
