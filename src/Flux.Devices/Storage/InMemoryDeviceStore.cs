using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Telemetry;

namespace Flux.Devices.Storage;

/// <summary>
/// A thread-safe <see cref="IDeviceStore"/> held in process memory: the default store, the reference for the
/// store contract, and the store for tests. Its contents are lost when the process ends.
/// </summary>
/// <remarks>
/// One lock guards all of it, so every write is atomic and every read sees a consistent state. Devices and
/// groups are immutable records, handed out without copying. Health samples and telemetry readings are kept in a
/// bounded window per device (<see cref="HealthSamplesPerDevice"/>, <see cref="TelemetryReadingsPerDevice"/>), so that
/// a long-running process does not grow without end.
/// </remarks>
public sealed class InMemoryDeviceStore : IDeviceStore, IRetentionStore, IDeviceArchiveStore, IMaintenanceScheduleStore
{
    /// <summary>The default of <see cref="HealthSamplesPerDevice"/>: a day of samples at the spec's 60-second polling interval.</summary>
    public const int DefaultHealthSamplesPerDevice = 1440;

    /// <summary>
    /// The default of <see cref="TelemetryReadingsPerDevice"/>: about three hours of 50 points at the spec's 60-second
    /// polling interval (the in-memory store is for tests, demos and short runs).
    /// </summary>
    public const int DefaultTelemetryReadingsPerDevice = 10_000;

    private static readonly Comparison<DeviceHealthSample> SampleOrder = static (a, b) => a.Timestamp.UtcTicks.CompareTo(b.Timestamp.UtcTicks);
    private static readonly Comparison<TelemetryReading> ReadingOrder = TelemetryRules.Order.Compare;

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, TimeWindow<DeviceHealthSample>> _health = [];
    private readonly Dictionary<Guid, TimeWindow<TelemetryReading>> _telemetry = [];
    private readonly Dictionary<Guid, TimeWindow<DeviceHealthSample>> _archivedHealth = [];
    private readonly Dictionary<Guid, TimeWindow<TelemetryReading>> _archivedTelemetry = [];
    private readonly Dictionary<Guid, Device> _devices = [];
    private readonly Dictionary<string, Guid> _deviceNames = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, List<DeviceHistoryEntry>> _history = [];
    private readonly Dictionary<Guid, DeviceGroup> _groups = [];
    private readonly Dictionary<string, Guid> _groupNames = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, Dictionary<Guid, DeviceGroupMember>> _membersByGroup = [];
    private readonly Dictionary<Guid, HashSet<Guid>> _groupsByDevice = [];
    private readonly Dictionary<Guid, MaintenanceWindow> _windows = [];

    /// <summary>Initializes a new instance of the <see cref="InMemoryDeviceStore"/> class that keeps <see cref="DefaultHealthSamplesPerDevice"/> health samples per device.</summary>
    public InMemoryDeviceStore()
        : this(DefaultHealthSamplesPerDevice)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InMemoryDeviceStore"/> class.</summary>
    /// <param name="healthSamplesPerDevice">How many health samples to keep per device (the newest); from 1 to 1,000,000.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="healthSamplesPerDevice"/> is out of range.</exception>
    public InMemoryDeviceStore(int healthSamplesPerDevice)
        : this(healthSamplesPerDevice, DefaultTelemetryReadingsPerDevice)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InMemoryDeviceStore"/> class.</summary>
    /// <param name="healthSamplesPerDevice">How many health samples to keep per device (the newest); from 1 to 1,000,000.</param>
    /// <param name="telemetryReadingsPerDevice">How many telemetry readings to keep per device, all points together (the newest); from 1 to 10,000,000.</param>
    /// <exception cref="ArgumentOutOfRangeException">A window is out of range.</exception>
    public InMemoryDeviceStore(int healthSamplesPerDevice, int telemetryReadingsPerDevice)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(healthSamplesPerDevice, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(healthSamplesPerDevice, 1_000_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(telemetryReadingsPerDevice, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(telemetryReadingsPerDevice, 10_000_000);
        HealthSamplesPerDevice = healthSamplesPerDevice;
        TelemetryReadingsPerDevice = telemetryReadingsPerDevice;
    }

    /// <summary>Gets how many health samples the store keeps per device; older ones are dropped.</summary>
    public int HealthSamplesPerDevice { get; }

    /// <summary>Gets how many telemetry readings the store keeps per device, all points together; older ones are dropped.</summary>
    public int TelemetryReadingsPerDevice { get; }

    /// <inheritdoc />
    public ValueTask AddAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckAdd(device, entry);

        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_devices.ContainsKey(device.Id))
            {
                throw new AlreadyExistsException("id", device.Id.ToString());
            }

            if (_deviceNames.ContainsKey(device.Name))
            {
                throw new AlreadyExistsException("name", device.Name);
            }

            _devices.Add(device.Id, device);
            _deviceNames.Add(device.Name, device.Id);
            _history.Add(device.Id, [entry]);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask AddManyAsync(IReadOnlyList<DeviceWrite> additions, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckAddMany(additions);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // Check every device before adding any, so that a refused batch writes nothing.
            foreach (var (device, _) in additions)
            {
                if (_devices.ContainsKey(device.Id))
                {
                    throw new AlreadyExistsException("id", device.Id.ToString());
                }

                if (_deviceNames.ContainsKey(device.Name))
                {
                    throw new AlreadyExistsException("name", device.Name);
                }
            }

            foreach (var (device, entry) in additions)
            {
                _devices.Add(device.Id, device);
                _deviceNames.Add(device.Name, device.Id);
                _history.Add(device.Id, [entry]);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask UpdateAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckUpdate(device, entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_devices.TryGetValue(device.Id, out var current))
            {
                throw new DeviceNotFoundException(device.Id);
            }

            if (current.Version != device.Version - 1)
            {
                throw new DeviceConcurrencyException(device.Id, device.Version - 1, current.Version);
            }

            var renamed = !string.Equals(current.Name, device.Name, StringComparison.Ordinal);
            if (renamed && _deviceNames.ContainsKey(device.Name))
            {
                throw new AlreadyExistsException("name", device.Name);
            }

            if (renamed)
            {
                _deviceNames.Remove(current.Name);
                _deviceNames.Add(device.Name, device.Id);
            }

            Replace(device, entry);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceWriteOutcome>> UpdateManyAsync(IReadOnlyList<DeviceWrite> writes, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckBatch(writes);

        cancellationToken.ThrowIfCancellationRequested();
        var outcomes = new DeviceWriteOutcome[writes.Count];
        lock (_lock)
        {
            // Decide every write before making any, so that a refused batch leaves nothing half-written.
            for (var i = 0; i < writes.Count; i++)
            {
                var device = writes[i].Device;
                var current = _devices.GetValueOrDefault(device.Id);
                outcomes[i] = DeviceWriteDecision.Decide(device, current?.Version, current?.Name);
            }

            for (var i = 0; i < writes.Count; i++)
            {
                if (outcomes[i] == DeviceWriteOutcome.Written)
                {
                    Replace(writes[i].Device, writes[i].Entry);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<DeviceWriteOutcome>>(outcomes);
    }

    /// <inheritdoc />
    public ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_devices.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_deviceNames.TryGetValue(name, out var id) ? _devices[id] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        cancellationToken.ThrowIfCancellationRequested();
        List<Device> matches;
        lock (_lock)
        {
            matches = filter.IsEmpty ? [.. _devices.Values] : [.. _devices.Values.Where(filter.Matches)];
        }

        matches.Sort(static (a, b) => NameOrder.Compare(a.Name, b.Name));
        return ValueTask.FromResult<IReadOnlyList<Device>>(matches);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid deviceId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<DeviceHistoryEntry>>(
                _history.TryGetValue(deviceId, out var entries) ? [.. entries] : []);
        }
    }

    /// <inheritdoc />
    public ValueTask AddGroupAsync(DeviceGroup group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_groups.ContainsKey(group.Id))
            {
                throw new AlreadyExistsException("id", group.Id.ToString());
            }

            if (_groupNames.ContainsKey(group.Name))
            {
                throw new AlreadyExistsException("name", group.Name);
            }

            _groups.Add(group.Id, group);
            _groupNames.Add(group.Name, group.Id);
            _membersByGroup.Add(group.Id, []);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<DeviceGroup?> GetGroupAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_groups.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<DeviceGroup?> GetGroupByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_groupNames.TryGetValue(name, out var id) ? _groups[id] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceGroup>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<DeviceGroup> groups;
        lock (_lock)
        {
            groups = [.. _groups.Values];
        }

        groups.Sort(static (a, b) => NameOrder.Compare(a.Name, b.Name));
        return ValueTask.FromResult<IReadOnlyList<DeviceGroup>>(groups);
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteGroupAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_groups.Remove(id, out var group))
            {
                return ValueTask.FromResult(false);
            }

            _groupNames.Remove(group.Name);
            foreach (var deviceId in _membersByGroup[id].Keys)
            {
                _groupsByDevice[deviceId].Remove(id);
            }

            _membersByGroup.Remove(id);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask SetMemberAsync(DeviceGroupMember member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_membersByGroup.TryGetValue(member.GroupId, out var members))
            {
                throw new DeviceGroupNotFoundException(member.GroupId, "group_id");
            }

            if (!_devices.TryGetValue(member.DeviceId, out var device))
            {
                throw new DeviceNotFoundException(member.DeviceId, "device_id");
            }

            if (device.State == DeviceState.Decommissioned)
            {
                throw new DeviceValidationException("device_id", $"device {device.Name} is decommissioned and cannot join a group");
            }

            members[member.DeviceId] = member;
            if (!_groupsByDevice.TryGetValue(member.DeviceId, out var groups))
            {
                _groupsByDevice[member.DeviceId] = groups = [];
            }

            groups.Add(member.GroupId);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_membersByGroup.TryGetValue(groupId, out var members) || !members.Remove(deviceId))
            {
                return ValueTask.FromResult(false);
            }

            _groupsByDevice[deviceId].Remove(groupId);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<(DeviceGroupMember Member, string DeviceName)> members;
        lock (_lock)
        {
            if (!_membersByGroup.TryGetValue(groupId, out var byDevice))
            {
                throw new DeviceGroupNotFoundException(groupId);
            }

            members = [.. byDevice.Values.Select(m => (m, _devices[m.DeviceId].Name))];
        }

        members.Sort(static (a, b) =>
        {
            var byPriority = a.Member.Priority.CompareTo(b.Member.Priority);
            return byPriority != 0 ? byPriority : NameOrder.Compare(a.DeviceName, b.DeviceName);
        });
        return ValueTask.FromResult<IReadOnlyList<DeviceGroupMember>>([.. members.Select(m => m.Member)]);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<(DeviceGroupMember Member, string GroupName)> memberships;
        lock (_lock)
        {
            if (!_groupsByDevice.TryGetValue(deviceId, out var groupIds))
            {
                return ValueTask.FromResult<IReadOnlyList<DeviceGroupMember>>([]);
            }

            memberships = [.. groupIds.Select(g => (_membersByGroup[g][deviceId], _groups[g].Name))];
        }

        memberships.Sort(static (a, b) => NameOrder.Compare(a.GroupName, b.GroupName));
        return ValueTask.FromResult<IReadOnlyList<DeviceGroupMember>>([.. memberships.Select(m => m.Member)]);
    }

    /// <inheritdoc />
    public ValueTask AppendHealthAsync(IReadOnlyList<DeviceHealthSample> samples, CancellationToken cancellationToken = default)
    {
        var stored = HealthSampleRules.NormalizeBatch(samples);
        cancellationToken.ThrowIfCancellationRequested();
        Append(stored, _health, static s => s.DeviceId, HealthSampleRules.Taken, () => new TimeWindow<DeviceHealthSample>(HealthSamplesPerDevice, SampleOrder, static s => s.Timestamp));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_health.TryGetValue(deviceId, out var window) ? window.Latest : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<DeviceHealthSample>>([.. _health.Values.Select(w => w.Latest!)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<DeviceHealthSample>>(
                _health.TryGetValue(deviceId, out var window) ? window.Range(since, until) : []);
        }
    }

    /// <inheritdoc />
    public ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default)
    {
        var stored = TelemetryRules.NormalizeBatch(readings);
        cancellationToken.ThrowIfCancellationRequested();
        Append(stored, _telemetry, static r => r.DeviceId, TelemetryRules.Taken, () => new TimeWindow<TelemetryReading>(TelemetryReadingsPerDevice, ReadingOrder, static r => r.Timestamp));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Appends a normalised batch of a time series to its windows, all or nothing: every item is checked (known device,
    /// key not taken) before any is stored.
    /// </summary>
    private void Append<T>(IReadOnlyList<T> stored, Dictionary<Guid, TimeWindow<T>> windows, Func<T, Guid> deviceOf, Func<T, Exception> taken, Func<TimeWindow<T>> create)
        where T : class
    {
        lock (_lock)
        {
            foreach (var item in stored)
            {
                if (!_devices.ContainsKey(deviceOf(item)))
                {
                    throw new DeviceNotFoundException(deviceOf(item));
                }

                if (windows.TryGetValue(deviceOf(item), out var window) && window.Contains(item))
                {
                    throw taken(item);
                }
            }

            foreach (var item in stored)
            {
                if (!windows.TryGetValue(deviceOf(item), out var window))
                {
                    window = create();
                    windows.Add(deviceOf(item), window);
                }

                window.Add(item);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<TelemetryReading>>(TelemetryRange(_telemetry, deviceId, points, since, until));
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteExpiredAsync(RetainedSeries series, DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        RetentionArguments.Check(series, limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(series == RetainedSeries.HealthSamples ? Expire(_health, before, limit) : Expire(_telemetry, before, limit));
        }

        static int Expire<T>(Dictionary<Guid, TimeWindow<T>> windows, DateTimeOffset before, int limit)
            where T : class
        {
            var deleted = 0;
            List<Guid>? emptied = null;
            foreach (var (deviceId, window) in windows)
            {
                deleted += window.RemoveBefore(before, limit - deleted);
                if (window.Count == 0)
                {
                    (emptied ??= []).Add(deviceId);
                }

                if (deleted == limit)
                {
                    break;
                }
            }

            foreach (var deviceId in emptied ?? [])
            {
                windows.Remove(deviceId); // a device without samples has no latest one
            }

            return deleted;
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetArchivedHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<DeviceHealthSample>>(
                _archivedHealth.TryGetValue(deviceId, out var window) ? window.Range(since, until) : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TelemetryReading>> GetArchivedTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<TelemetryReading>>(TelemetryRange(_archivedTelemetry, deviceId, points, since, until));
    }

    /// <summary>A device's readings in a time range of a series (hot or archived), oldest first, then by point.</summary>
    private List<TelemetryReading> TelemetryRange(Dictionary<Guid, TimeWindow<TelemetryReading>> windows, Guid deviceId, IReadOnlyCollection<string>? points, DateTimeOffset since, DateTimeOffset until)
    {
        var wanted = points is { Count: > 0 } ? new HashSet<string>(points, StringComparer.Ordinal) : null;
        lock (_lock)
        {
            return windows.TryGetValue(deviceId, out var window)
                ? window.Range(since, until, wanted is null ? null : r => wanted.Contains(r.Point))
                : [];
        }
    }

    /// <inheritdoc />
    public ValueTask AddMaintenanceWindowAsync(MaintenanceWindow window, CancellationToken cancellationToken = default)
    {
        var stored = MaintenanceWindowRules.Normalize(window);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_devices.ContainsKey(stored.DeviceId))
            {
                throw new DeviceNotFoundException(stored.DeviceId, "device_id");
            }

            if (_windows.ContainsKey(stored.Id))
            {
                throw new AlreadyExistsException("id", stored.Id.ToString());
            }

            if (_windows.Values.Where(w => w.DeviceId == stored.DeviceId && w.IsOpen && w.Overlaps(stored)).OrderBy(w => w.Start).FirstOrDefault() is { } existing)
            {
                throw new MaintenanceWindowOverlapException(stored, existing);
            }

            _windows.Add(stored.Id, stored);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<MaintenanceWindow?> GetMaintenanceWindowAsync(Guid id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_windows.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MaintenanceWindow>> ListMaintenanceWindowsAsync(Guid? deviceId, bool openOnly, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<MaintenanceWindow>>(
                [.. _windows.Values
                    .Where(w => (deviceId is null || w.DeviceId == deviceId) && (!openOnly || w.IsOpen))
                    .OrderBy(w => w.Start)
                    .ThenBy(w => w.Id.ToString("D"), StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> SetMaintenanceWindowStatusAsync(Guid id, MaintenanceWindowStatus expected, MaintenanceWindowStatus status, string? note, CancellationToken cancellationToken = default)
    {
        MaintenanceWindowRules.CheckStatus(expected, nameof(expected));
        MaintenanceWindowRules.CheckStatus(status, nameof(status));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_windows.TryGetValue(id, out var window) || window.Status != expected)
            {
                return ValueTask.FromResult(false);
            }

            _windows[id] = window with { Status = status, Note = note };
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>
    /// Stores a new version and its entry (under the lock); a decommissioned device leaves its groups, and its health
    /// samples and telemetry move to the archive, all under the one lock.
    /// </summary>
    private void Replace(Device device, DeviceHistoryEntry entry)
    {
        _devices[device.Id] = device;
        _history[device.Id].Add(entry);
        if (device.State != DeviceState.Decommissioned)
        {
            return;
        }

        if (_groupsByDevice.Remove(device.Id, out var groups))
        {
            foreach (var groupId in groups)
            {
                _membersByGroup[groupId].Remove(device.Id);
            }
        }

        MoveToArchive(_health, _archivedHealth, device.Id);
        MoveToArchive(_telemetry, _archivedTelemetry, device.Id);

        static void MoveToArchive<T>(Dictionary<Guid, TimeWindow<T>> hot, Dictionary<Guid, TimeWindow<T>> archive, Guid deviceId)
            where T : class
        {
            if (!hot.Remove(deviceId, out var window))
            {
                return;
            }

            if (!archive.TryGetValue(deviceId, out var archived))
            {
                archive.Add(deviceId, window); // the window itself: nothing is copied
                return;
            }

            // Rows that came after an earlier move join them; a row the archive already holds keeps the archived one.
            foreach (var row in window.Range(DateTimeOffset.MinValue, DateTimeOffset.MaxValue))
            {
                if (!archived.Contains(row))
                {
                    archived.Add(row);
                }
            }
        }
    }
}
