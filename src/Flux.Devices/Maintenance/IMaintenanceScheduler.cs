namespace Flux.Devices.Maintenance;

/// <summary>
/// Scheduled maintenance: windows with a start and an expected duration per device, kept in the store
/// (<see cref="Storage.IMaintenanceScheduleStore"/>) so that they survive a restart. At the start the device enters
/// maintenance and at the end it leaves it (back through Testing), through <see cref="IMaintenanceService"/>, so both
/// moves are in the device's history and notified like <c>maintenance enter/exit</c>.
/// </summary>
/// <remarks>
/// <para>
/// The windows run in the process that calls <see cref="RunDueAsync"/>: the hosted service of
/// <c>AddMaintenanceSchedule()</c> does so at start and then every <see cref="MaintenanceScheduleOptions.Interval"/>;
/// a short-lived process (a CLI call) only schedules, lists and cancels.
/// </para>
/// <para>
/// A window whose device is not Active at its start (in maintenance already, failed, testing, decommissioned) is
/// skipped: it becomes <see cref="MaintenanceWindowStatus.Skipped"/> with a note naming the state, and a warning is
/// logged; the device is not touched. So is a window whose end had passed before any scheduler ran it (the host was
/// down). A device taken out of maintenance by hand before the end is left as it is, and the window is completed
/// with a note.
/// </para>
/// </remarks>
public interface IMaintenanceScheduler
{
    /// <summary>Schedules a window.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="start">When the device enters maintenance; not in the past.</param>
    /// <param name="duration">How long it stays; more than zero.</param>
    /// <param name="reason">Why; <see langword="null"/> or blank for <c>Scheduled maintenance</c>.</param>
    /// <param name="actor">Who, for the window and the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The window, <see cref="MaintenanceWindowStatus.Scheduled"/>.</returns>
    /// <exception cref="DeviceValidationException">The start is in the past (field <c>start</c>) or the duration is not positive (field <c>duration</c>); nothing was stored.</exception>
    /// <exception cref="MaintenanceWindowOverlapException">An open window of the device overlaps it (field <c>start</c>).</exception>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    ValueTask<MaintenanceWindow> ScheduleAsync(
        Guid deviceId,
        DateTimeOffset start,
        TimeSpan duration,
        string? reason = null,
        string? actor = null,
        CancellationToken cancellationToken = default);

    /// <summary>Lists windows, by start.</summary>
    /// <param name="deviceId">One device's windows; <see langword="null"/> for all.</param>
    /// <param name="openOnly"><see langword="true"/> for the scheduled and in-progress windows only.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The windows.</returns>
    ValueTask<IReadOnlyList<MaintenanceWindow>> ListAsync(Guid? deviceId = null, bool openOnly = false, CancellationToken cancellationToken = default);

    /// <summary>Cancels a window that has not started.</summary>
    /// <param name="windowId">The window.</param>
    /// <param name="actor">Who, for the note.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The window, <see cref="MaintenanceWindowStatus.Cancelled"/>.</returns>
    /// <exception cref="MaintenanceWindowNotFoundException">No window has the id.</exception>
    /// <exception cref="DeviceValidationException">The window is not scheduled any more (field <c>id</c>): in progress (end it with <see cref="IMaintenanceService.ExitAsync"/>), or finished.</exception>
    ValueTask<MaintenanceWindow> CancelAsync(Guid windowId, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the windows whose start or end has come on the container's <see cref="TimeProvider"/>: starts them (or skips
    /// them) and ends them. Safe to call from several processes at once: each window moves once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>How many windows moved (started, ended or skipped).</returns>
    ValueTask<int> RunDueAsync(CancellationToken cancellationToken = default);
}
