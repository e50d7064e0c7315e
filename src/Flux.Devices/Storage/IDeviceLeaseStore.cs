namespace Flux.Devices.Storage;

/// <summary>
/// The lease capability of a store shared by several health monitors (PostgreSQL): each monitor instance claims devices,
/// renews what it holds and gives it back, so that each device is polled by one instance at a time. Every change of a
/// device's owner gives the device a new, larger fencing token; a write made under a <see cref="DeviceLeaseFence"/> whose
/// token is no longer the device's current one is refused (<see cref="LeaseLostException"/>) and nothing of it is stored.
/// </summary>
/// <remarks>
/// Each operation is one round trip to the database, whatever the number of devices. Lease times are on the store's
/// clock: the database server's, so that the monitors' hosts need not agree on the time. The in-memory and SQLite
/// stores do not implement this: they serve one process, and asking for leases on them is a configuration error.
/// </remarks>
public interface IDeviceLeaseStore
{
    /// <summary>
    /// Records the instance's heartbeat (registering it the first time), renews every lease it holds and reads the live
    /// instances, in one round trip.
    /// </summary>
    /// <param name="instance">The instance.</param>
    /// <param name="leaseTime">How long the heartbeat and the leases last from now.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The leases the instance still holds (one it held before and is not listed is lost) and the live instances.</returns>
    ValueTask<DeviceLeaseRenewal> RenewAsync(MonitorInstance instance, TimeSpan leaseTime, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="limit"/> devices that match <paramref name="scope"/>, should be polled (active, in
    /// Configured, Testing, Active or Failed) and are not leased or whose lease expired; devices other claimers are
    /// claiming at the same moment are skipped (<c>FOR UPDATE SKIP LOCKED</c>), not waited for. One round trip.
    /// </summary>
    /// <param name="instanceId">The claiming instance.</param>
    /// <param name="scope">The devices the instance may poll; <see cref="DeviceFilter.All"/> for any.</param>
    /// <param name="limit">The most devices to claim; from 1.</param>
    /// <param name="leaseTime">How long the new leases last from now.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The leases claimed, each with the device's fencing token.</returns>
    ValueTask<IReadOnlyList<DeviceLease>> ClaimAsync(Guid instanceId, DeviceFilter scope, int limit, TimeSpan leaseTime, CancellationToken cancellationToken = default);

    /// <summary>Gives back leases the instance holds, so that other instances may claim the devices at once. One round trip.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="deviceIds">The devices to give back; <see langword="null"/> for all the instance holds.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many leases were given back.</returns>
    ValueTask<int> ReleaseAsync(Guid instanceId, IReadOnlyCollection<Guid>? deviceIds, CancellationToken cancellationToken = default);

    /// <summary>Gives back every lease of the instance and marks it stopped (no longer live), in one round trip: a clean stop.</summary>
    /// <param name="instanceId">The instance.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the leases are given back.</returns>
    ValueTask StopInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default);

    /// <summary>Lists the live instances: not stopped, and heard from within their lease time. One round trip.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The instances, by name, each with the devices it holds and its last heartbeat.</returns>
    ValueTask<IReadOnlyList<MonitorInstanceStatus>> ListInstancesAsync(CancellationToken cancellationToken = default);
}

/// <summary>A monitor instance as it registers with an <see cref="IDeviceLeaseStore"/>.</summary>
public sealed record MonitorInstance
{
    /// <summary>Gets the instance's id, new on every start.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the instance's name, for people (the host name, a site's monitor).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the instance's scope in the device filter syntax (<c>site=WLCE</c>); <see langword="null"/> for every device.</summary>
    public string? Filter { get; init; }
}

/// <summary>A device's lease: the device and its fencing token.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Token">The fencing token: larger than any token the device had under an earlier owner.</param>
public readonly record struct DeviceLease(Guid DeviceId, long Token);

/// <summary>What <see cref="IDeviceLeaseStore.RenewAsync"/> found: the leases still held and the live instances.</summary>
public sealed record DeviceLeaseRenewal
{
    /// <summary>Gets the instance's leases, renewed.</summary>
    public required IReadOnlyList<DeviceLease> Held { get; init; }

    /// <summary>Gets the live instances, this one included.</summary>
    public required IReadOnlyList<MonitorInstanceStatus> Instances { get; init; }
}

/// <summary>A live monitor instance, as <see cref="IDeviceLeaseStore.ListInstancesAsync"/> lists it.</summary>
public sealed record MonitorInstanceStatus
{
    /// <summary>Gets the instance's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the instance's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the instance's scope in the device filter syntax; <see langword="null"/> for every device.</summary>
    public string? Filter { get; init; }

    /// <summary>Gets when the instance first registered.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets the instance's last heartbeat.</summary>
    public required DateTimeOffset HeartbeatAt { get; init; }

    /// <summary>Gets when the instance stops counting as live unless it beats again.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Gets how many unexpired leases the instance holds.</summary>
    public required int DevicesHeld { get; init; }
}
