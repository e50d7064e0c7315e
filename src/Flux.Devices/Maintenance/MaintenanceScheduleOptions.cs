using System.ComponentModel.DataAnnotations;

namespace Flux.Devices.Maintenance;

/// <summary>Options of the maintenance schedule's hosted service (<c>AddMaintenanceSchedule()</c>).</summary>
public sealed class MaintenanceScheduleOptions
{
    /// <summary>
    /// Gets or sets how often the hosted service looks for windows to start or end (30 seconds by default; 1 second to 1
    /// hour): a window starts and ends at most this late, and a window scheduled by another process is seen within it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
