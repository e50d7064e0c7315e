using Flux.Devices.Maintenance;

namespace Flux.Devices.Storage;

/// <summary>
/// The maintenance schedule capability of a store: the windows of <see cref="IMaintenanceScheduler"/>, kept so that they
/// survive a restart. The library's stores have it.
/// </summary>
/// <remarks>
/// Not part of <see cref="IDeviceStore"/>, so that a store written before it still builds: a host whose store lacks it
/// cannot schedule maintenance (resolving <see cref="IMaintenanceScheduler"/> says so) and loses nothing else. Check a
/// store with the maintenance schedule contract of the Flux.Devices.Testing package.
/// </remarks>
public interface IMaintenanceScheduleStore
{
    /// <summary>
    /// Adds a window, refusing it when an open window (<see cref="MaintenanceWindow.IsOpen"/>) of the same device
    /// overlaps it; the check and the write are one atomic step, so two writers cannot both add overlapping windows.
    /// Times are kept to the microsecond.
    /// </summary>
    /// <param name="window">The window, with status <see cref="MaintenanceWindowStatus.Scheduled"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the window is stored.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the window's device id (field <c>device_id</c>).</exception>
    /// <exception cref="MaintenanceWindowOverlapException">An open window of the device overlaps it.</exception>
    /// <exception cref="AlreadyExistsException">A window has the id.</exception>
    ValueTask AddMaintenanceWindowAsync(MaintenanceWindow window, CancellationToken cancellationToken = default);

    /// <summary>Gets a window.</summary>
    /// <param name="id">The window's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The window, or <see langword="null"/>.</returns>
    ValueTask<MaintenanceWindow?> GetMaintenanceWindowAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Lists windows, by start, then by id (as lower-case text).</summary>
    /// <param name="deviceId">One device's windows; <see langword="null"/> for every device's.</param>
    /// <param name="openOnly"><see langword="true"/> for the open windows only (scheduled or in progress).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The windows.</returns>
    ValueTask<IReadOnlyList<MaintenanceWindow>> ListMaintenanceWindowsAsync(Guid? deviceId, bool openOnly, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a window to another status, with a note, when it is in <paramref name="expected"/> (compare-and-set: of two
    /// schedulers only one moves it).
    /// </summary>
    /// <param name="id">The window's id.</param>
    /// <param name="expected">The status it must be in.</param>
    /// <param name="status">The new status.</param>
    /// <param name="note">Why, or <see langword="null"/>; replaces the note kept.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when it was moved; <see langword="false"/> when no window has the id or it was in another status.</returns>
    ValueTask<bool> SetMaintenanceWindowStatusAsync(Guid id, MaintenanceWindowStatus expected, MaintenanceWindowStatus status, string? note, CancellationToken cancellationToken = default);
}
