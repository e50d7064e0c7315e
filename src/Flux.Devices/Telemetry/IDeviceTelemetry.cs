namespace Flux.Devices.Telemetry;

/// <summary>
/// The telemetry of the devices this process polls, in memory: each device's latest readings, and subscriptions to
/// the readings as polls decode them. The health monitor feeds it: one poll serves health and telemetry, and only a
/// device that is <see cref="DeviceState.Active"/> produces readings (a device in Testing is polled for its health
/// only; Maintenance, Failed and Decommissioned devices are not polled).
/// </summary>
/// <remarks>
/// <para>
/// A reading's value is the register's raw value × scale + offset, and for a meter's secondary-side points
/// (<see cref="RegisterMaps.RegisterDefinition.Secondary"/>) × the device's <c>ct_ratio</c>, <c>vt_ratio</c> or both.
/// When a poll fails, or the device leaves Active, its latest readings turn <see cref="TelemetryQuality.Stale"/>
/// (keeping the values and time of the poll that read them).
/// </para>
/// <para>
/// Subscriptions never slow polling down. Each has a bounded queue (<see cref="TelemetrySubscriptionOptions.Capacity"/>);
/// when the subscriber lags and its queue is full, the oldest reading waiting is dropped to make room for the newest,
/// and counted (<see cref="TelemetrySubscription.Dropped"/>, <see cref="DroppedReadings"/> and the metric
/// <c>flux.devices.telemetry.readings_dropped</c> with <c>reason=subscriber</c>).
/// </para>
/// </remarks>
public interface IDeviceTelemetry
{
    /// <summary>Gets the readings dropped so far because a subscriber lagged, over every subscription.</summary>
    long DroppedReadings { get; }

    /// <summary>Gets a device's latest readings from memory (no store round trip), in the order of its read plan.</summary>
    /// <param name="deviceId">The device.</param>
    /// <returns>The readings; empty when the device has given none in this process.</returns>
    IReadOnlyList<TelemetryReading> GetLatest(Guid deviceId);

    /// <summary>Subscribes to readings from now on: every reading of every poll that matches, and the Stale readings when a device's telemetry stops.</summary>
    /// <param name="options">Which devices and points, and the queue's capacity; <see langword="null"/> for all, with the default capacity.</param>
    /// <returns>The subscription: enumerate it (once) to read, dispose it to end it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is out of range.</exception>
    TelemetrySubscription Subscribe(TelemetrySubscriptionOptions? options = null);
}
