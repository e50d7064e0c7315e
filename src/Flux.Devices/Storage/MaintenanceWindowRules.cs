using Flux.Devices.Maintenance;

namespace Flux.Devices.Storage;

/// <summary>The checks every <see cref="IMaintenanceScheduleStore"/> makes on a window before it writes, for stores written outside the library too.</summary>
public static class MaintenanceWindowRules
{
    /// <summary>Checks a window to be added and returns it as stores keep it: times in UTC, cut to the microsecond.</summary>
    /// <param name="window">The window.</param>
    /// <returns>The window as stored.</returns>
    /// <exception cref="ArgumentNullException">The window or its reason is null.</exception>
    /// <exception cref="ArgumentException">The end is not after the start, or the status is not <see cref="MaintenanceWindowStatus.Scheduled"/>.</exception>
    public static MaintenanceWindow Normalize(MaintenanceWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(window.Reason, nameof(window));
        var stored = window with
        {
            Start = StoredTime.ToMicroseconds(window.Start),
            End = StoredTime.ToMicroseconds(window.End),
            CreatedAt = StoredTime.ToMicroseconds(window.CreatedAt),
        };
        if (stored.End <= stored.Start)
        {
            throw new ArgumentException("A maintenance window must end after it starts.", nameof(window));
        }

        if (stored.Status != MaintenanceWindowStatus.Scheduled)
        {
            throw new ArgumentException($"A maintenance window is added as {MaintenanceWindowStatus.Scheduled}, not {stored.Status}.", nameof(window));
        }

        return stored;
    }

    /// <summary>Checks that a status is one of <see cref="MaintenanceWindowStatus"/>.</summary>
    /// <param name="status">The status.</param>
    /// <param name="parameterName">The argument's name, for the error.</param>
    /// <exception cref="ArgumentOutOfRangeException">The status is not defined.</exception>
    public static void CheckStatus(MaintenanceWindowStatus status, string parameterName)
    {
        if (!Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(parameterName, status, "Not a maintenance window status.");
        }
    }
}
