namespace Flux.Devices.Lifecycle;

/// <summary>One row of the lifecycle table: in state <paramref name="From"/>, <paramref name="Trigger"/> moves a device to <paramref name="To"/>.</summary>
/// <param name="From">The state the device must be in.</param>
/// <param name="Trigger">The event.</param>
/// <param name="To">The state the device moves to.</param>
/// <param name="Action">What the platform does afterwards.</param>
/// <param name="Description">The trigger in the spec's words (<c>Config deployment</c>).</param>
/// <param name="FromSpec">Whether the row is one of the spec's six; the others fill its gaps.</param>
public sealed record LifecycleTransition(
    DeviceState From,
    DeviceTrigger Trigger,
    DeviceState To,
    LifecycleAction Action,
    string Description,
    bool FromSpec);
