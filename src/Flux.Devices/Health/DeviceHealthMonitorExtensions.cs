namespace Flux.Devices.Health;

/// <summary>Health calls with the cancellation token first when there is nothing else to give: <c>monitor.CheckAsync(cancellationToken)</c>.</summary>
public static class DeviceHealthMonitorExtensions
{
    /// <summary>Polls every device that should be polled, once, now.</summary>
    /// <param name="monitor">The monitor.</param>
    /// <param name="cancellationToken">Cancels the polls.</param>
    /// <returns>The samples.</returns>
    public static ValueTask<IReadOnlyList<DeviceHealthSample>> CheckAsync(this IDeviceHealthMonitor monitor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return monitor.CheckAsync(null, cancellationToken);
    }
}
