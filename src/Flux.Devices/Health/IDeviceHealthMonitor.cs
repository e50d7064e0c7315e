namespace Flux.Devices.Health;

/// <summary>
/// Polls devices over Modbus and records their health: the spec's <c>checkDeviceHealth</c>, on a schedule. It polls
/// every active device in <see cref="DeviceState.Configured"/>, <see cref="DeviceState.Testing"/> or
/// <see cref="DeviceState.Active"/> on its template's polling interval, with its template's timeout and retry count, and
/// probes every active <see cref="DeviceState.Failed"/> device on a backoff (<see cref="DeviceHealthOptions.FailedRetryInterval"/>);
/// never one in maintenance, decommissioned or inactive.
/// </summary>
/// <remarks>
/// <para>
/// A poll reads the registers of the device's register map (holding register 0 when it has none, as the spec does),
/// one attempt after another until one succeeds or the retries are spent, each attempt within the timeout. It yields a
/// <see cref="DeviceHealthSample"/>: online, degraded (slower than <see cref="DeviceHealthOptions.DegradedThreshold"/>
/// or only after a retry) or offline, with consecutive errors and the last good poll carried from the previous sample.
/// Samples go to <see cref="Storage.IHealthSampleStore.AppendHealthAsync"/> in batches.
/// </para>
/// <para>
/// Polls drive the lifecycle: the first poll of a configured device moves it to <see cref="DeviceState.Testing"/>, a
/// successful poll in testing makes it <see cref="DeviceState.Active"/>, and a failed one moves it to
/// <see cref="DeviceState.Failed"/> and alerts the operator. A Failed device is probed again
/// <see cref="DeviceHealthOptions.FailedRetryInterval"/> after it failed, then after twice as long each time it does not
/// answer, at most <see cref="DeviceHealthOptions.FailedRetryMaxInterval"/>; a probe it answers moves it to
/// <see cref="DeviceState.Testing"/> (<see cref="DeviceTrigger.Retry"/>) and on to <see cref="DeviceState.Active"/>. An
/// active device that stops answering is reported once (<see cref="Notifications.NotificationKind.DeviceOffline"/>), and
/// again when it recovers.
/// </para>
/// </remarks>
public interface IDeviceHealthMonitor
{
    /// <summary>Polls every device that should be polled, Failed ones included (or those of them that match a filter), once, now.</summary>
    /// <param name="filter">Narrows the devices; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the polls.</param>
    /// <returns>
    /// One sample per device polled, in device name order, already written to the store. A device that the running loop
    /// is polling at that moment, or whose poll the store failed under (logged), gives none.
    /// </returns>
    ValueTask<IReadOnlyList<DeviceHealthSample>> CheckAsync(DeviceFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Polls devices on their schedules until cancelled. Each device is polled on its own period, independently of
    /// the others: one that stalls delays nobody but itself. The hosted service of <c>AddHealthMonitor</c> runs this.
    /// </summary>
    /// <param name="cancellationToken">Stops the loop; waiting samples are written before the task completes.</param>
    /// <returns>A task that completes when the loop has stopped.</returns>
    /// <exception cref="InvalidOperationException">The loop is already running.</exception>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Gets the newest health of every device this monitor has polled (cached; no I/O).</summary>
    /// <returns>One entry per device, in device name order.</returns>
    IReadOnlyList<DeviceHealth> GetLatest();
}
