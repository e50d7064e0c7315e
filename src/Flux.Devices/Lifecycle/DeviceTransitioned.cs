namespace Flux.Devices.Lifecycle;

/// <summary>A committed lifecycle transition, as observers see it.</summary>
public sealed record DeviceTransitioned
{
    /// <summary>Gets the device before the transition.</summary>
    public required Device Previous { get; init; }

    /// <summary>Gets the device after the transition.</summary>
    public required Device Device { get; init; }

    /// <summary>Gets the table row that applied, with its action.</summary>
    public required LifecycleTransition Transition { get; init; }

    /// <summary>Gets the history entry written with it.</summary>
    public required DeviceHistoryEntry Entry { get; init; }
}
