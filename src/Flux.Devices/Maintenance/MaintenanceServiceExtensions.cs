namespace Flux.Devices.Maintenance;

/// <summary>
/// Maintenance calls with the cancellation token right after the required arguments, for callers with no expected
/// duration or actor to give: <c>maintenance.ExitAsync(deviceId, cancellationToken)</c>.
/// </summary>
public static class MaintenanceServiceExtensions
{
    /// <summary>Puts a device into maintenance, with no expected duration and no actor.</summary>
    /// <param name="maintenance">The maintenance service.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="reason">Why, for the history and the notification.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device in maintenance.</returns>
    public static ValueTask<Device> EnterAsync(this IMaintenanceService maintenance, Guid deviceId, string reason, CancellationToken cancellationToken) =>
        NotNull(maintenance).EnterAsync(deviceId, reason, null, null, cancellationToken);

    /// <summary>Puts a device into maintenance for an expected duration, with no actor.</summary>
    /// <param name="maintenance">The maintenance service.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="reason">Why, for the history and the notification.</param>
    /// <param name="expectedDuration">How long it is expected to take.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device in maintenance.</returns>
    public static ValueTask<Device> EnterAsync(this IMaintenanceService maintenance, Guid deviceId, string reason, TimeSpan? expectedDuration, CancellationToken cancellationToken) =>
        NotNull(maintenance).EnterAsync(deviceId, reason, expectedDuration, null, cancellationToken);

    /// <summary>Takes a device out of maintenance, with no actor.</summary>
    /// <param name="maintenance">The maintenance service.</param>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, now in <see cref="DeviceState.Testing"/>.</returns>
    public static ValueTask<Device> ExitAsync(this IMaintenanceService maintenance, Guid deviceId, CancellationToken cancellationToken) =>
        NotNull(maintenance).ExitAsync(deviceId, null, cancellationToken);

    private static IMaintenanceService NotNull(IMaintenanceService maintenance)
    {
        ArgumentNullException.ThrowIfNull(maintenance);
        return maintenance;
    }
}
