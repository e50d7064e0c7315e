namespace Flux.Devices.Lifecycle;

/// <summary>One row of the lifecycle table: in state <see cref="From"/>, <see cref="Trigger"/> moves a device to <see cref="To"/>.</summary>
public sealed record LifecycleTransition
{
    /// <summary>Gets the state the device must be in.</summary>
    public required DeviceState From { get; init; }

    /// <summary>Gets the event.</summary>
    public required DeviceTrigger Trigger { get; init; }

    /// <summary>Gets the state the device moves to.</summary>
    public required DeviceState To { get; init; }

    /// <summary>Gets what the platform does afterwards.</summary>
    public required LifecycleAction Action { get; init; }

    /// <summary>Gets the trigger in the spec's words (<c>Config deployment</c>).</summary>
    public required string Description { get; init; }

    /// <summary>Gets whether the row is one of the spec's six; the others fill its gaps.</summary>
    public required bool FromSpec { get; init; }
}
