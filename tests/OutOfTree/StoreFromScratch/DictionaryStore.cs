using Flux.Devices;
using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;

namespace StoreFromScratch;

/// <summary>
/// A store written from scratch against the public API: dictionaries under one lock, the checks and decisions from
/// the toolkit in Flux.Devices.Storage. Its health samples live in a <see cref="DictionarySampleStore"/> and its
/// telemetry in a <see cref="DictionaryTelemetryStore"/>, which also run on their own.
/// </summary>
public sealed class DictionaryStore : IDeviceStore, IMaintenanceScheduleStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Device> _devices = [];
    private readonly Dictionary<Guid, List<DeviceHistoryEntry>> _history = [];
    private readonly Dictionary<Guid, DeviceGroup> _groups = [];
    private readonly Dictionary<(Guid GroupId, Guid DeviceId), DeviceGroupMember> _members = [];
    private readonly DictionarySampleStore _samples = new();
    private readonly DictionaryTelemetryStore _telemetry = new();
    private readonly Dictionary<Guid, MaintenanceWindow> _windows = [];

    public ValueTask AddAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckAdd(device, entry);
        return AddManyAsync([new DeviceWrite(device, entry)], cancellationToken);
    }

    public ValueTask AddManyAsync(IReadOnlyList<DeviceWrite> additions, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckAddMany(additions);
        lock (_lock)
        {
            foreach (var (device, _) in additions)
            {
                if (_devices.ContainsKey(device.Id))
                {
                    throw new AlreadyExistsException("id", device.Id.ToString());
                }

                if (_devices.Values.Any(d => d.Name == device.Name))
                {
                    throw new AlreadyExistsException("name", device.Name);
                }
            }

            foreach (var (device, entry) in additions)
            {
                _devices[device.Id] = device;
                _history[device.Id] = [entry];
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask UpdateAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckUpdate(device, entry);
        lock (_lock)
        {
            var stored = _devices.GetValueOrDefault(device.Id) ?? throw new DeviceNotFoundException(device.Id);
            if (stored.Version != device.Version - 1)
            {
                throw new DeviceConcurrencyException(device.Id, device.Version - 1, stored.Version);
            }

            if (_devices.Values.Any(d => d.Id != device.Id && d.Name == device.Name))
            {
                throw new AlreadyExistsException("name", device.Name);
            }

            Write(device, entry);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<DeviceWriteOutcome>> UpdateManyAsync(IReadOnlyList<DeviceWrite> writes, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckBatch(writes);
        lock (_lock)
        {
            var outcomes = writes.Select(w => DeviceWriteDecision.Decide(w.Device, _devices.GetValueOrDefault(w.Device.Id)?.Version, _devices.GetValueOrDefault(w.Device.Id)?.Name)).ToArray();
            for (var i = 0; i < writes.Count; i++)
            {
                if (outcomes[i] == DeviceWriteOutcome.Written)
                {
                    Write(writes[i].Device, writes[i].Entry);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<DeviceWriteOutcome>>(outcomes);
        }
    }

    public ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        UnderLock(() => _devices.GetValueOrDefault(id));

    public ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default) =>
        UnderLock(() => _devices.Values.FirstOrDefault(d => d.Name == name));

    public ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<Device>>([.. _devices.Values.Where(filter.Matches).OrderBy(d => d.Name, CodePointOrder.Instance)]);
        }
    }

    public ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        UnderLock<IReadOnlyList<DeviceHistoryEntry>>(() => _history.TryGetValue(deviceId, out var entries) ? [.. entries] : []);

    public ValueTask AddGroupAsync(DeviceGroup group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        lock (_lock)
        {
            if (_groups.ContainsKey(group.Id))
            {
                throw new AlreadyExistsException("id", group.Id.ToString());
            }

            if (_groups.Values.Any(g => g.Name == group.Name))
            {
                throw new AlreadyExistsException("name", group.Name);
            }

            _groups[group.Id] = group;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<DeviceGroup?> GetGroupAsync(Guid id, CancellationToken cancellationToken = default) =>
        UnderLock(() => _groups.GetValueOrDefault(id));

    public ValueTask<DeviceGroup?> GetGroupByNameAsync(string name, CancellationToken cancellationToken = default) =>
        UnderLock(() => _groups.Values.FirstOrDefault(g => g.Name == name));

    public ValueTask<IReadOnlyList<DeviceGroup>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        UnderLock<IReadOnlyList<DeviceGroup>>(() => [.. _groups.Values.OrderBy(g => g.Name, CodePointOrder.Instance)]);

    public ValueTask<bool> DeleteGroupAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            RemoveMembers(k => k.GroupId == id);
            return ValueTask.FromResult(_groups.Remove(id));
        }
    }

    public ValueTask SetMemberAsync(DeviceGroupMember member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        lock (_lock)
        {
            if (!_groups.ContainsKey(member.GroupId))
            {
                throw new DeviceGroupNotFoundException(member.GroupId, "group_id");
            }

            var device = _devices.GetValueOrDefault(member.DeviceId) ?? throw new DeviceNotFoundException(member.DeviceId, "device_id");
            if (device.State == DeviceState.Decommissioned)
            {
                throw new DeviceValidationException("device_id", $"device {device.Name} is decommissioned and joins no group");
            }

            _members[(member.GroupId, member.DeviceId)] = member;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default) =>
        UnderLock(() => _members.Remove((groupId, deviceId)));

    public ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_groups.ContainsKey(groupId))
            {
                throw new DeviceGroupNotFoundException(groupId);
            }

            return ValueTask.FromResult<IReadOnlyList<DeviceGroupMember>>([.. _members.Values
                .Where(m => m.GroupId == groupId)
                .OrderBy(m => m.Priority)
                .ThenBy(m => _devices[m.DeviceId].Name, CodePointOrder.Instance)]);
        }
    }

    public ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        UnderLock<IReadOnlyList<DeviceGroupMember>>(() => [.. _members.Values
                .Where(m => m.DeviceId == deviceId)
                .OrderBy(m => _groups[m.GroupId].Name, CodePointOrder.Instance)]);

    public ValueTask AppendHealthAsync(IReadOnlyList<DeviceHealthSample> samples, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        lock (_lock)
        {
            // The devices are here: a sample of an unknown device is refused, and the batch with it.
            if (samples.FirstOrDefault(s => s is not null && !_devices.ContainsKey(s.DeviceId)) is { } unknown)
            {
                throw new DeviceNotFoundException(unknown.DeviceId);
            }

            return _samples.AppendHealthAsync(samples, cancellationToken);
        }
    }

    public ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        _samples.GetLatestHealthAsync(deviceId, cancellationToken);

    public ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default) =>
        _samples.ListLatestHealthAsync(cancellationToken);

    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        _samples.GetHealthAsync(deviceId, since, until, cancellationToken);

    public ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readings);
        lock (_lock)
        {
            // The devices are here: a reading of an unknown device is refused, and the batch with it.
            if (readings.FirstOrDefault(r => r is not null && !_devices.ContainsKey(r.DeviceId)) is { } unknown)
            {
                throw new DeviceNotFoundException(unknown.DeviceId);
            }

            return _telemetry.AppendTelemetryAsync(readings, cancellationToken);
        }
    }

    public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(Guid deviceId, IReadOnlyCollection<string>? points, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        _telemetry.GetTelemetryAsync(deviceId, points, since, until, cancellationToken);

    public ValueTask AddMaintenanceWindowAsync(MaintenanceWindow window, CancellationToken cancellationToken = default)
    {
        var stored = MaintenanceWindowRules.Normalize(window);
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

            if (_windows.Values.Where(w => w.DeviceId == stored.DeviceId && w.IsOpen && w.Overlaps(stored)).MinBy(w => w.Start) is { } existing)
            {
                throw new MaintenanceWindowOverlapException(stored, existing);
            }

            _windows.Add(stored.Id, stored);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<MaintenanceWindow?> GetMaintenanceWindowAsync(Guid id, CancellationToken cancellationToken = default) =>
        UnderLock(() => _windows.GetValueOrDefault(id));

    public ValueTask<IReadOnlyList<MaintenanceWindow>> ListMaintenanceWindowsAsync(Guid? deviceId, bool openOnly, CancellationToken cancellationToken = default) =>
        UnderLock<IReadOnlyList<MaintenanceWindow>>(() => [.. _windows.Values
            .Where(w => (deviceId is null || w.DeviceId == deviceId) && (!openOnly || w.IsOpen))
            .OrderBy(w => w.Start)
            .ThenBy(w => w.Id.ToString("D"), StringComparer.Ordinal)]);

    public ValueTask<bool> SetMaintenanceWindowStatusAsync(Guid id, MaintenanceWindowStatus expected, MaintenanceWindowStatus status, string? note, CancellationToken cancellationToken = default) =>
        UnderLock(() =>
        {
            if (!_windows.TryGetValue(id, out var window) || window.Status != expected)
            {
                return false;
            }

            _windows[id] = window with { Status = status, Note = note };
            return true;
        });

    private ValueTask<T> UnderLock<T>(Func<T> action) => Locked.Run(_lock, action);

    private void Write(Device device, DeviceHistoryEntry entry)
    {
        _devices[device.Id] = device;
        _history[device.Id].Add(entry);
        if (device.State == DeviceState.Decommissioned)
        {
            RemoveMembers(k => k.DeviceId == device.Id);
        }
    }

    private void RemoveMembers(Func<(Guid GroupId, Guid DeviceId), bool> which)
    {
        foreach (var key in _members.Keys.Where(which).ToList())
        {
            _members.Remove(key);
        }
    }
}

/// <summary>Health samples on their own, as a host's time-series store would keep them: any device id is accepted.</summary>
public sealed class DictionarySampleStore : IHealthSampleStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, SortedList<DateTimeOffset, DeviceHealthSample>> _samples = [];

    private ValueTask<T> UnderLock<T>(Func<T> action) => Locked.Run(_lock, action);

    public ValueTask AppendHealthAsync(IReadOnlyList<DeviceHealthSample> samples, CancellationToken cancellationToken = default)
    {
        var stored = HealthSampleRules.NormalizeBatch(samples);
        lock (_lock)
        {
            if (stored.FirstOrDefault(s => _samples.TryGetValue(s.DeviceId, out var kept) && kept.ContainsKey(s.Timestamp)) is { } taken)
            {
                throw HealthSampleRules.Taken(taken);
            }

            foreach (var sample in stored)
            {
                if (!_samples.TryGetValue(sample.DeviceId, out var kept))
                {
                    _samples[sample.DeviceId] = kept = [];
                }

                kept.Add(sample.Timestamp, sample);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        UnderLock(() => _samples.TryGetValue(deviceId, out var kept) && kept.Count > 0 ? kept.Values[^1] : null);

    public ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default) =>
        UnderLock<IReadOnlyList<DeviceHealthSample>>(() => [.. _samples.Values.Where(k => k.Count > 0).Select(k => k.Values[^1])]);

    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        UnderLock<IReadOnlyList<DeviceHealthSample>>(() => _samples.TryGetValue(deviceId, out var kept)
                ? [.. kept.Values.Where(s => s.Timestamp >= since && s.Timestamp < until)]
                : []);
}

/// <summary>Telemetry on its own, as a host's time-series store would keep it: any device id is accepted.</summary>
public sealed class DictionaryTelemetryStore : ITelemetryStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, SortedList<TelemetryReading, TelemetryReading>> _readings = [];

    public ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default)
    {
        var stored = TelemetryRules.NormalizeBatch(readings);
        lock (_lock)
        {
            if (stored.FirstOrDefault(r => _readings.TryGetValue(r.DeviceId, out var kept) && kept.ContainsKey(r)) is { } taken)
            {
                throw TelemetryRules.Taken(taken);
            }

            foreach (var reading in stored)
            {
                if (!_readings.TryGetValue(reading.DeviceId, out var kept))
                {
                    _readings[reading.DeviceId] = kept = new(TelemetryRules.Order);
                }

                kept.Add(reading, reading);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(Guid deviceId, IReadOnlyCollection<string>? points, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        Locked.Run<IReadOnlyList<TelemetryReading>>(_lock, () => _readings.TryGetValue(deviceId, out var kept)
                ? [.. kept.Values.Where(r => r.Timestamp >= since && r.Timestamp < until && (points is not { Count: > 0 } || points.Contains(r.Point)))]
                : []);
}

/// <summary>Runs an action under a lock and hands back its result.</summary>
internal static class Locked
{
    public static ValueTask<T> Run<T>(Lock gate, Func<T> action)
    {
        lock (gate)
        {
            return ValueTask.FromResult(action());
        }
    }
}

/// <summary>Names by Unicode code point, as the contract orders them (ordinal UTF-16 puts U+FFFF after U+10000).</summary>
internal sealed class CodePointOrder : IComparer<string>
{
    public static readonly CodePointOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        using var a = (x ?? "").EnumerateRunes().GetEnumerator();
        using var b = (y ?? "").EnumerateRunes().GetEnumerator();
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var order = a.Current.Value.CompareTo(b.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }
}
