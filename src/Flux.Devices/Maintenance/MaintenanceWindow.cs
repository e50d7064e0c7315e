namespace Flux.Devices.Maintenance;

/// <summary>Where a scheduled maintenance window is in its life.</summary>
public enum MaintenanceWindowStatus
{
    /// <summary>Waiting for its start.</summary>
    Scheduled = 0,

    /// <summary>Started: the scheduler put the device into maintenance and takes it out at the end.</summary>
    InProgress = 1,

    /// <summary>Ended: the scheduler took the device out of maintenance (or found it already out).</summary>
    Completed = 2,

    /// <summary>Not run: the device was not Active at the start, or the start was missed; <see cref="MaintenanceWindow.Note"/> says why.</summary>
    Skipped = 3,

    /// <summary>Cancelled before its start.</summary>
    Cancelled = 4,
}

/// <summary>
/// A scheduled maintenance window of one device: from <see cref="Start"/> to <see cref="End"/> the device is in
/// maintenance, entered and left by <see cref="IMaintenanceScheduler"/> by itself.
/// </summary>
public sealed record MaintenanceWindow
{
    /// <summary>Gets the window's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the device.</summary>
    public required Guid DeviceId { get; init; }

    /// <summary>Gets when the device enters maintenance (UTC, to the microsecond as stores keep it).</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Gets when the device leaves maintenance; after <see cref="Start"/>.</summary>
    public required DateTimeOffset End { get; init; }

    /// <summary>Gets why, for the history and the notifications.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets who scheduled the window, when said.</summary>
    public string? Actor { get; init; }

    /// <summary>Gets when the window was scheduled.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets where the window is in its life.</summary>
    public MaintenanceWindowStatus Status { get; init; }

    /// <summary>Gets why the window was skipped or how it ended, when there is something to say.</summary>
    public string? Note { get; init; }

    /// <summary>Gets the expected duration: <see cref="End"/> − <see cref="Start"/>.</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>Gets a value indicating whether the window is still to run or running (<see cref="MaintenanceWindowStatus.Scheduled"/> or <see cref="MaintenanceWindowStatus.InProgress"/>): only open windows may not overlap.</summary>
    public bool IsOpen => Status is MaintenanceWindowStatus.Scheduled or MaintenanceWindowStatus.InProgress;

    /// <summary>Gets a value indicating whether the window shares time with another: <c>[Start, End)</c> intersect; a window may start when another ends.</summary>
    /// <param name="other">The other window.</param>
    /// <returns><see langword="true"/> when they overlap.</returns>
    public bool Overlaps(MaintenanceWindow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Start < other.End && other.Start < End;
    }
}
