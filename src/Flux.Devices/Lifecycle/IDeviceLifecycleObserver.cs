namespace Flux.Devices.Lifecycle;

/// <summary>
/// A host's hook on lifecycle transitions: enable telemetry, disable control, archive data, page someone.
/// Register implementations with <c>AddLifecycleObserver</c> on the <c>AddFluxDevices</c> builder.
/// </summary>
/// <remarks>
/// Observers run after the transition has been committed, in registration order. An observer that throws
/// is logged and does not undo the transition or stop the other observers: the device has already moved.
/// For the same reason the caller's cancellation does not reach observers: the token they get is not the
/// caller's, and an observer that may block should bound its own work.
/// </remarks>
public interface IDeviceLifecycleObserver
{
    /// <summary>Called once for every committed transition.</summary>
    /// <param name="transition">What happened.</param>
    /// <param name="cancellationToken">Not the caller's token (see remarks); currently never cancelled.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnTransitionedAsync(DeviceTransitioned transition, CancellationToken cancellationToken);
}

/// <summary>A committed lifecycle transition, as observers see it.</summary>
public sealed record DeviceTransitioned
{
    /// <summary>Initializes a new instance of the <see cref="DeviceTransitioned"/> record.</summary>
    /// <param name="previous">The device before the transition.</param>
    /// <param name="device">The device after the transition.</param>
    /// <param name="transition">The table row that applied, with its action.</param>
    /// <param name="entry">The history entry written with it.</param>
    public DeviceTransitioned(Device previous, Device device, LifecycleTransition transition, DeviceHistoryEntry entry)
    {
        Previous = previous;
        Device = device;
        Transition = transition;
        Entry = entry;
    }

    /// <summary>Gets the device before the transition.</summary>
    public Device Previous { get; init; }

    /// <summary>Gets the device after the transition.</summary>
    public Device Device { get; init; }

    /// <summary>Gets the table row that applied, with its action.</summary>
    public LifecycleTransition Transition { get; init; }

    /// <summary>Gets the history entry written with it.</summary>
    public DeviceHistoryEntry Entry { get; init; }
}
