namespace Flux.Devices.Lifecycle;

/// <summary>One row of the lifecycle table: in state <see cref="From"/>, <see cref="Trigger"/> moves a device to <see cref="To"/>.</summary>
public sealed record LifecycleTransition
{
    /// <summary>Initializes a new instance of the <see cref="LifecycleTransition"/> record.</summary>
    /// <param name="from">The state the device must be in.</param>
    /// <param name="trigger">The event.</param>
    /// <param name="to">The state the device moves to.</param>
    /// <param name="action">What the platform does afterwards.</param>
    /// <param name="description">The trigger in the spec's words (<c>Config deployment</c>).</param>
    /// <param name="fromSpec">Whether the row is one of the spec's six; the others fill its gaps.</param>
    public LifecycleTransition(DeviceState from, DeviceTrigger trigger, DeviceState to, LifecycleAction action, string description, bool fromSpec)
    {
        From = from;
        Trigger = trigger;
        To = to;
        Action = action;
        Description = description;
        FromSpec = fromSpec;
    }

    /// <summary>Gets the state the device must be in.</summary>
    public DeviceState From { get; init; }

    /// <summary>Gets the event.</summary>
    public DeviceTrigger Trigger { get; init; }

    /// <summary>Gets the state the device moves to.</summary>
    public DeviceState To { get; init; }

    /// <summary>Gets what the platform does afterwards.</summary>
    public LifecycleAction Action { get; init; }

    /// <summary>Gets the trigger in the spec's words (<c>Config deployment</c>).</summary>
    public string Description { get; init; }

    /// <summary>Gets whether the row is one of the spec's six; the others fill its gaps.</summary>
    public bool FromSpec { get; init; }
}
