namespace Flux.Devices.Maintenance;

/// <summary>
/// Maintenance mode, as the spec shows it: entering sets <c>active = false</c>, writes the
/// <c>metadata.maintenance</c> block and moves the device to <see cref="DeviceState.Maintenance"/>, which stops
/// polling (<see cref="Device.ShouldPoll"/>) and notifies the operators. Leaving clears the block and sends the
/// device back through <see cref="DeviceState.Testing"/>.
/// </summary>
public interface IMaintenanceService
{
    /// <summary>Puts an active (or failed) device into maintenance.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="reason">Why (<c>Firmware upgrade</c>); required.</param>
    /// <param name="expectedDuration">How long it should take, written as the spec does (<c>2 hours</c>); optional.</param>
    /// <param name="actor">Who, for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device in maintenance.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    /// <exception cref="DeviceValidationException">The reason is blank or the duration negative; nothing was written.</exception>
    /// <exception cref="Lifecycle.InvalidLifecycleTransitionException">The device's state does not permit maintenance.</exception>
    ValueTask<Device> EnterAsync(
        Guid deviceId,
        string reason,
        TimeSpan? expectedDuration = null,
        string? actor = null,
        CancellationToken cancellationToken = default);

    /// <summary>Takes a device out of maintenance; it is tested again before it is active.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="actor">Who, for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, now in <see cref="DeviceState.Testing"/>.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    /// <exception cref="Lifecycle.InvalidLifecycleTransitionException">The device is not in maintenance.</exception>
    ValueTask<Device> ExitAsync(Guid deviceId, string? actor = null, CancellationToken cancellationToken = default);
}
