using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Telemetry;

namespace Flux.Devices.Storage;

/// <summary>
/// A base for store decorators (caching, metrics, tracing, routing a capability elsewhere): every member forwards to
/// the inner store, and is virtual, so that a decorator overrides only what it changes.
/// </summary>
/// <remarks>
/// The decorator does not own the inner stores: it neither disposes them nor is disposable itself. Register the inner
/// store where its owner disposes it, or dispose it in a derived class.
/// </remarks>
public abstract class DelegatingDeviceStore : IDeviceStore, IRetentionStore
{
    /// <summary>Initializes a new instance of the <see cref="DelegatingDeviceStore"/> class over one store.</summary>
    /// <param name="inner">The store every member forwards to.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    protected DelegatingDeviceStore(IDeviceStore inner)
        : this(inner, inner, inner, inner)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DelegatingDeviceStore"/> class over one store per capability.</summary>
    /// <param name="devices">The store of devices and their history.</param>
    /// <param name="groups">The store of groups and members; it keeps the devices of <paramref name="devices"/> (memberships refer to them).</param>
    /// <param name="healthSamples">The store of health samples.</param>
    /// <exception cref="ArgumentNullException">A store is null.</exception>
    /// <remarks>Telemetry goes to <paramref name="devices"/> when it is an <see cref="ITelemetryStore"/>, else to <paramref name="healthSamples"/> when that is one.</remarks>
    protected DelegatingDeviceStore(IDeviceRegistryStore devices, IDeviceGroupStore groups, IHealthSampleStore healthSamples)
        : this(devices, groups, healthSamples, devices as ITelemetryStore ?? healthSamples as ITelemetryStore ?? throw new ArgumentException(
            "Neither the device store nor the health sample store keeps telemetry: pass a telemetry store.", nameof(devices)))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DelegatingDeviceStore"/> class over one store per capability.</summary>
    /// <param name="devices">The store of devices and their history.</param>
    /// <param name="groups">The store of groups and members; it keeps the devices of <paramref name="devices"/> (memberships refer to them).</param>
    /// <param name="healthSamples">The store of health samples.</param>
    /// <param name="telemetry">The store of telemetry readings.</param>
    /// <exception cref="ArgumentNullException">A store is null.</exception>
    protected DelegatingDeviceStore(IDeviceRegistryStore devices, IDeviceGroupStore groups, IHealthSampleStore healthSamples, ITelemetryStore telemetry)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(healthSamples);
        ArgumentNullException.ThrowIfNull(telemetry);
        InnerDevices = devices;
        InnerGroups = groups;
        InnerHealthSamples = healthSamples;
        InnerTelemetry = telemetry;
    }

    /// <summary>Gets the store the members of <see cref="IDeviceRegistryStore"/> forward to.</summary>
    protected IDeviceRegistryStore InnerDevices { get; }

    /// <summary>Gets the store the members of <see cref="IDeviceGroupStore"/> forward to.</summary>
    protected IDeviceGroupStore InnerGroups { get; }

    /// <summary>Gets the store the members of <see cref="IHealthSampleStore"/> forward to.</summary>
    protected IHealthSampleStore InnerHealthSamples { get; }

    /// <summary>Gets the store the members of <see cref="ITelemetryStore"/> forward to.</summary>
    protected ITelemetryStore InnerTelemetry { get; }

    /// <inheritdoc />
    public virtual ValueTask AddAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default) =>
        InnerDevices.AddAsync(device, entry, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask AddManyAsync(IReadOnlyList<DeviceWrite> additions, CancellationToken cancellationToken = default) =>
        InnerDevices.AddManyAsync(additions, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask UpdateAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default) =>
        InnerDevices.UpdateAsync(device, entry, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<DeviceWriteOutcome>> UpdateManyAsync(IReadOnlyList<DeviceWrite> writes, CancellationToken cancellationToken = default) =>
        InnerDevices.UpdateManyAsync(writes, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        InnerDevices.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default) =>
        InnerDevices.GetByNameAsync(name, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken = default) =>
        InnerDevices.ListAsync(filter, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        InnerDevices.GetHistoryAsync(deviceId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask AddGroupAsync(DeviceGroup group, CancellationToken cancellationToken = default) =>
        InnerGroups.AddGroupAsync(group, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<DeviceGroup?> GetGroupAsync(Guid id, CancellationToken cancellationToken = default) =>
        InnerGroups.GetGroupAsync(id, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<DeviceGroup?> GetGroupByNameAsync(string name, CancellationToken cancellationToken = default) =>
        InnerGroups.GetGroupByNameAsync(name, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<DeviceGroup>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        InnerGroups.ListGroupsAsync(cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> DeleteGroupAsync(Guid id, CancellationToken cancellationToken = default) =>
        InnerGroups.DeleteGroupAsync(id, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask SetMemberAsync(DeviceGroupMember member, CancellationToken cancellationToken = default) =>
        InnerGroups.SetMemberAsync(member, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default) =>
        InnerGroups.RemoveMemberAsync(groupId, deviceId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default) =>
        InnerGroups.ListMembersAsync(groupId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        InnerGroups.ListMembershipsAsync(deviceId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask AppendHealthAsync(IReadOnlyList<DeviceHealthSample> samples, CancellationToken cancellationToken = default) =>
        InnerHealthSamples.AppendHealthAsync(samples, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        InnerHealthSamples.GetLatestHealthAsync(deviceId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default) =>
        InnerHealthSamples.ListLatestHealthAsync(cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        InnerHealthSamples.GetHealthAsync(deviceId, since, until, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default) =>
        InnerTelemetry.AppendTelemetryAsync(readings, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default) =>
        InnerTelemetry.GetTelemetryAsync(deviceId, points, since, until, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Forwards health samples to the health sample store and telemetry to the telemetry store, where that store has retention.</remarks>
    public virtual ValueTask<int> DeleteExpiredAsync(RetainedSeries series, DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        object inner = series switch
        {
            RetainedSeries.HealthSamples => InnerHealthSamples,
            RetainedSeries.Telemetry => InnerTelemetry,
            _ => throw new ArgumentOutOfRangeException(nameof(series), series, "Not a retained series."),
        };
        return inner is IRetentionStore retention
            ? retention.DeleteExpiredAsync(series, before, limit, cancellationToken)
            : throw new NotSupportedException($"The store of {series} ({inner.GetType().Name}) has no retention: it does not implement {nameof(IRetentionStore)}. Leave {series} kept for ever in the retention options, or delete its rows with the store's own means.");
    }
}
