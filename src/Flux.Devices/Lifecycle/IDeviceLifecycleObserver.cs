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
