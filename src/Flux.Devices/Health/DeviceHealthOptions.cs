using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Health;

/// <summary>Options of the health monitor (<see cref="IDeviceHealthMonitor"/>), set through <c>AddHealthMonitor(options => ...)</c> or bound from configuration with <c>AddHealthMonitor(section)</c>.</summary>
/// <remarks>
/// A device's own configuration (the <c>polling_interval</c>, <c>timeout</c> and <c>retry_count</c> its template
/// deployed) wins over the defaults here.
/// </remarks>
public sealed class DeviceHealthOptions
{
    /// <summary>Gets or sets the polling interval of a device whose configuration does not give one.</summary>
    /// <value>The default value is 60 seconds, the spec template's. It must be from 100 milliseconds to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan DefaultPollingInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the deadline of one poll attempt of a device whose configuration does not give one.</summary>
    /// <value>The default value is 5 seconds, the spec template's. It must be from 1 millisecond to 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how many times a failed poll is tried again, for a device whose configuration does not say.</summary>
    /// <value>The default value is 3, the spec template's. It must be from 0 to 10.</value>
    [Range(0, 10)]
    public int DefaultRetryCount { get; set; } = 3;

    /// <summary>Gets or sets the response time above which a successful poll counts as <see cref="DeviceHealthStatus.Degraded"/>.</summary>
    /// <value>The default value is 1 second, the spec's. It must be from 1 millisecond to 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan DegradedThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how many devices may be polled at once. A device that stalls holds one slot until its deadline,
    /// so keep this well above the number of devices that may stall together.
    /// </summary>
    /// <value>The default value is 64. It must be from 1 to 10,000.</value>
    [Range(1, 10_000)]
    public int MaxConcurrentPolls { get; set; } = 64;

    /// <summary>
    /// Gets or sets how often the polling loop reads the device list from the store, to see devices registered,
    /// configured, put into maintenance or decommissioned by other processes. Changes made in this process are seen at once.
    /// </summary>
    /// <value>The default value is 30 seconds. It must be from 100 milliseconds to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the most samples written to the store in one batch.</summary>
    /// <value>The default value is 1,000. It must be from 1 to 100,000.</value>
    [Range(1, 100_000)]
    public int SampleBatchSize { get; set; } = 1000;

    /// <summary>
    /// Gets or sets how many samples may wait for the store. When the store falls further behind, the oldest waiting
    /// samples are dropped (and counted), so that polling never waits for the store.
    /// </summary>
    /// <value>The default value is 100,000. It must be from 1 to 10,000,000.</value>
    [Range(1, 10_000_000)]
    public int MaxPendingSamples { get; set; } = 100_000;

    /// <summary>Gets or sets the most telemetry readings written to the <c>ITelemetryStore</c> in one batch.</summary>
    /// <value>The default value is 10,000. It must be from 1 to 1,000,000.</value>
    [Range(1, 1_000_000)]
    public int TelemetryBatchSize { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how many telemetry readings may wait for the <c>ITelemetryStore</c>. When the store falls further
    /// behind, the oldest waiting readings are dropped (and counted: <c>flux.devices.telemetry.readings_dropped</c>,
    /// <c>reason=store</c>), so that polling never waits for the store.
    /// </summary>
    /// <value>The default value is 1,000,000. It must be from 1 to 100,000,000.</value>
    [Range(1, 100_000_000)]
    public int MaxPendingReadings { get; set; } = 1_000_000;

    /// <summary>
    /// Gets or sets how long after a device fails (<see cref="DeviceState.Failed"/>) the monitor probes it again. Each
    /// probe that goes unanswered doubles the wait, up to <see cref="FailedRetryMaxInterval"/>; a probe that is answered
    /// moves the device <see cref="DeviceState.Failed"/> → <see cref="DeviceState.Testing"/> → <see cref="DeviceState.Active"/>.
    /// </summary>
    /// <value>The default value is 5 minutes. It must be from 1 second to 1 day, and at most <see cref="FailedRetryMaxInterval"/>.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the longest wait between two probes of a failed device (see <see cref="FailedRetryInterval"/>).</summary>
    /// <value>The default value is 1 hour. It must be from 1 second to 1 day, and at least <see cref="FailedRetryInterval"/>.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedRetryMaxInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the share of offline devices from which the fleet health check reports Unhealthy rather than Degraded.</summary>
    /// <value>The default value is 0.5. It must be from 0 to 1.</value>
    [Range(0.0, 1.0)]
    public double UnhealthyOfflineRatio { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets the devices this monitor polls, in the device filter syntax (<c>site=WLCE</c>,
    /// <c>type=bess,site=WLCE</c>, any filter <c>flux device list --filter</c> takes): a monitor for one site. With
    /// <see cref="Leases"/> it is also the scope the instance claims leases in.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: every device that should be polled.</value>
    public string? Scope { get; set; }

    /// <summary>Gets or sets the leases that let several monitors share one PostgreSQL store (see <see cref="DeviceLeaseOptions"/>).</summary>
    [ValidateObjectMembers]
    public DeviceLeaseOptions Leases { get; set; } = new();
}

/// <summary>
/// Leases of the health monitor (<see cref="DeviceHealthOptions.Leases"/>): with them, several monitor processes share
/// the devices of one store that keeps leases (PostgreSQL, <see cref="Storage.IDeviceLeaseStore"/>); each polls only the
/// devices it holds a lease on, and every write it makes for a device is fenced by the lease's token.
/// </summary>
/// <remarks>
/// <para>
/// Every <see cref="RenewInterval"/> the instance renews its leases and its heartbeat (one round trip) and learns the live
/// instances. Its share is the sum, over the devices of its scope, of 1 / (the live instances whose scope holds the
/// device); it claims devices up to ⌈share⌉ (its first claim at most half of it: instances that start together may not
/// see each other yet), and when it holds more than ⌈1.1 × share⌉ it gives back at once every device (oldest leases
/// first) down to ⌊share⌋ except those it is polling at that moment, so that an instance that joins gets its share within
/// about two renew intervals (within one <see cref="LeaseTime"/>) and, once stable, no instance holds more than its share + 10%.
/// </para>
/// <para>
/// An instance that stops renewing (it died, or was paused) loses its devices once their leases expire: another claims
/// them at its next renewal, within <see cref="LeaseTime"/> + <see cref="RenewInterval"/> (less than 2 × the lease time).
/// An instance stops polling a device at once when it learns it lost it, or when it could not renew within the lease time.
/// <see cref="IDeviceHealthMonitor.CheckAsync"/> polls only the devices the instance holds (none before the loop ran),
/// under their tokens, and throws <see cref="Storage.LeaseLostException"/> when the store refuses its writes.
/// </para>
/// </remarks>
public sealed class DeviceLeaseOptions
{
    /// <summary>Gets or sets a value indicating whether the monitor polls only the devices it holds a lease on.</summary>
    /// <value>The default value is <see langword="false"/>: one monitor polls every device. Asking for leases on a store that cannot keep them (in-memory, SQLite) fails the start.</value>
    public bool Enabled { get; set; }

    /// <summary>Gets or sets the instance's name, shown by <c>flux monitor status</c>.</summary>
    /// <value>The default value is <see langword="null"/>: the host's name and the process id.</value>
    [StringLength(200)]
    public string? InstanceName { get; set; }

    /// <summary>Gets or sets how long a lease (and the instance's heartbeat) lasts after each renewal.</summary>
    /// <value>The default value is 30 seconds. It must be from 1 second to 1 hour, and at least twice <see cref="RenewInterval"/>.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how often the instance renews its leases, takes its share of devices and gives back extras.</summary>
    /// <value>The default value is 10 seconds. It must be from 100 milliseconds to 30 minutes, and at most half <see cref="LeaseTime"/>.</value>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:30:00")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(10);
}
