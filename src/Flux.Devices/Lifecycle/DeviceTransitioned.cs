namespace Flux.Devices.Lifecycle;

/// <summary>A committed lifecycle transition, as observers see it.</summary>
/// <param name="Previous">The device before the transition.</param>
/// <param name="Device">The device after the transition.</param>
/// <param name="Transition">The table row that applied, with its action.</param>
/// <param name="Entry">The history entry written with it.</param>
public sealed record DeviceTransitioned(Device Previous, Device Device, LifecycleTransition Transition, DeviceHistoryEntry Entry);
