using System.Collections.Concurrent;
using Flux.Devices.Diagnostics;
using Flux.Devices.Storage;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// The leases of one monitor instance (<see cref="DeviceLeaseOptions"/>): which devices it holds and under which fencing
/// token, renewed in one round trip every <see cref="DeviceLeaseOptions.RenewInterval"/>, with its fair share claimed and
/// extras given back. The monitor's loop calls <see cref="TickAsync"/>; polls ask <see cref="TryGetToken"/>.
/// </summary>
/// <remarks>
/// A device counts as held only while the last successful renewal is younger than the lease time (on the monitor's
/// clock): an instance that could not renew, or was paused past its lease, stops polling at once, before it even learns
/// that another instance took its devices. What it still writes is refused by the store's fence.
/// </remarks>
internal sealed class LeaseCoordinator
{
    private readonly IDeviceLeaseStore _store;
    private readonly DeviceLeaseOptions _options;
    private readonly DeviceFilter _scope;
    private readonly TimeProvider _time;
    private readonly HealthMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Guid, (long Token, DateTimeOffset AcquiredAt)> _held = new();
    private readonly Dictionary<string, DeviceFilter?> _filters = new(StringComparer.Ordinal);
    private long _validUntilTicks = DateTimeOffset.MinValue.UtcTicks;
    private DateTimeOffset _nextTick = DateTimeOffset.MinValue;
    private bool _claimed;

    public LeaseCoordinator(IDeviceLeaseStore store, DeviceLeaseOptions options, string? scopeText, DeviceFilter scope, TimeProvider time, HealthMetrics metrics, ILogger logger)
    {
        _store = store;
        _options = options;
        _scope = scope;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var name = string.IsNullOrWhiteSpace(options.InstanceName) ? $"{Environment.MachineName}/{Environment.ProcessId}" : options.InstanceName.Trim();
        Instance = new MonitorInstance { Id = Guid.NewGuid(), Name = name, Filter = string.IsNullOrWhiteSpace(scopeText) ? null : scopeText.Trim() };
        metrics.TrackLeases(name, () => _held.Count);
    }

    /// <summary>Gets the instance as it registers.</summary>
    public MonitorInstance Instance { get; }

    /// <summary>Gets how many devices the instance holds.</summary>
    public int HeldCount => _held.Count;

    /// <summary>The devices the instance holds.</summary>
    public IEnumerable<Guid> HeldIds() => _held.Keys;

    /// <summary>Gets the time of the last successful renewal, if any.</summary>
    public DateTimeOffset? LastRenewed { get; private set; }

    /// <summary>Gets whether the leases ran out: the instance renewed once but not within the lease time since (it polls nothing).</summary>
    public bool Lapsed => LastRenewed is { } renewed && _time.GetUtcNow() - renewed >= _options.LeaseTime;

    /// <summary>Gets the share of the last renewal (see <see cref="DeviceLeaseOptions"/>).</summary>
    public double Share { get; private set; }

    /// <summary>Called with each device the instance no longer holds (lost, fenced or given back): the monitor stops polling it.</summary>
    public Action<Guid>? Dropped { get; set; }

    /// <summary>Whether the instance holds the device now, and under which token.</summary>
    public bool TryGetToken(Guid deviceId, out long token)
    {
        if (_time.GetUtcNow().UtcTicks < Interlocked.Read(ref _validUntilTicks) && _held.TryGetValue(deviceId, out var held))
        {
            token = held.Token;
            return true;
        }

        token = 0;
        return false;
    }

    /// <summary>
    /// When the instance took the device (after the claim committed, on its clock), while it holds it. The previous owner
    /// started its last poll before that: it gave the device back first, or stopped polling when its lease ran out by its
    /// own clock, which is no later than the expiry the claim waited for.
    /// </summary>
    public DateTimeOffset? AcquiredAt(Guid deviceId) => _held.TryGetValue(deviceId, out var held) ? held.AcquiredAt : null;

    /// <summary>Whether a renewal is due.</summary>
    public bool Due(DateTimeOffset now) => now >= _nextTick;

    /// <summary>
    /// Renews (one round trip), drops what was lost, then takes the share in each part of the fleet that the same live
    /// instances cover: gives back, in one release for all parts, the oldest leases of each part where it holds more than
    /// ⌈1.1 × share⌉, down to ⌊share⌋; or else claims up to ⌈share⌉ of each part short of it (one round trip per such
    /// part; the instance's first claim at most half of it), so that the instances that claim what is given back reach
    /// their share.
    /// </summary>
    /// <param name="devices">The devices of the instance's scope that should be polled, as last listed.</param>
    /// <param name="busy">Whether a device's poll is under way (it is not given back then); a poll waiting for its slot is not.</param>
    /// <param name="cancellationToken">Stops the tick.</param>
    /// <returns>Whether devices were claimed.</returns>
    public async ValueTask<bool> TickAsync(IReadOnlyList<Device> devices, Func<Guid, bool> busy, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        _nextTick = started + _options.RenewInterval;
        DeviceLeaseRenewal renewal;
        try
        {
            renewal = await _store.RenewAsync(Instance, _options.LeaseTime, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.LeaseRenewFailed(_logger, ex, Instance.Name);
            return false;
        }

        Interlocked.Exchange(ref _validUntilTicks, (started + _options.LeaseTime).UtcTicks);
        LastRenewed = started;
        _metrics.Renewed();

        var still = new Dictionary<Guid, long>(renewal.Held.Count);
        foreach (var lease in renewal.Held)
        {
            still[lease.DeviceId] = lease.Token;
        }

        var lost = 0;
        foreach (var (id, held) in _held)
        {
            if (!still.TryGetValue(id, out var token) || token != held.Token)
            {
                lost += Drop(id, held.Token) ? 1 : 0;
                Log.LeaseLost(_logger, Instance.Name, id);
            }
        }

        foreach (var (id, token) in still)
        {
            _held.TryAdd(id, (token, started));
        }

        _metrics.LeasesLost(lost);
        var classes = ClassesOf(devices, renewal.Instances);
        var share = Share = classes.Sum(c => c.Share);
        int claimed = 0, released = 0;
        var extras = new List<Guid>();
        foreach (var part in classes)
        {
            // Within each part of the fleet that the same live instances cover, an instance holding more than
            // ⌈1.1 × its share of the part⌉ gives back its oldest leases there down to ⌊share⌋, except the devices whose
            // poll is under way (a poll waiting for its slot does not count: it checks its lease again once it has one).
            // Each is taken out of the held set before its poll is looked at, and a poll marks itself under way before it
            // checks its lease, so that of a release and a poll starting together one always sees the other: the device
            // is given back and the poll gives up, or the poll goes on and the device is kept.
            var held = new List<(Guid Id, (long Token, DateTimeOffset AcquiredAt) Lease)>();
            foreach (var device in part.Devices)
            {
                if (_held.TryGetValue(device.Id, out var lease)) // a fenced write may drop a lease meanwhile, from another thread
                {
                    held.Add((device.Id, lease));
                }
            }

            if (held.Count <= part.Most)
            {
                continue;
            }

            var want = held.Count - part.Floor;
            var taken = 0;
            foreach (var (id, lease) in held.OrderBy(h => h.Lease.AcquiredAt).ThenBy(h => h.Id))
            {
                if (taken >= want)
                {
                    break;
                }

                if (busy(id) || !_held.TryRemove(new KeyValuePair<Guid, (long, DateTimeOffset)>(id, lease)))
                {
                    continue;
                }

                Interlocked.MemoryBarrier(); // the removal is seen before the poll's mark is read (the poll: mark, barrier, read)
                if (busy(id))
                {
                    _held.TryAdd(id, lease); // its poll started meanwhile: kept
                    continue;
                }

                extras.Add(id);
                taken++;
                Dropped?.Invoke(id); // no longer polled before it is given back
            }
        }

        var listed = devices.Select(d => d.Id).ToHashSet();
        foreach (var (id, lease) in _held.ToList())
        {
            // Held but no longer in the scope's pollable devices (moved out of the scope, in maintenance, decommissioned).
            if (listed.Contains(id) || busy(id) || !_held.TryRemove(new KeyValuePair<Guid, (long, DateTimeOffset)>(id, lease)))
            {
                continue;
            }

            Interlocked.MemoryBarrier(); // as above
            if (busy(id))
            {
                _held.TryAdd(id, lease);
                continue;
            }

            extras.Add(id);
            Dropped?.Invoke(id);
        }

        if (extras.Count > 0)
        {
            try
            {
                released = await _store.ReleaseAsync(Instance.Id, extras, cancellationToken).ConfigureAwait(false); // every part's extras at once
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.LeaseRenewFailed(_logger, ex, Instance.Name); // they expire instead
            }
        }
        else
        {
            foreach (var part in classes)
            {
                // Up to ⌈share⌉ of each part, claimed by name among that part's devices (so that a central monitor beside
                // site monitors takes its share of each site and all of what only it covers). The instance's first claim
                // takes at most half of it: an instance that starts with others may see itself alone (their heartbeats
                // are not in yet); the others take part of the rest meanwhile, and what it holds above its share at its
                // next tick is little, given back at once.
                var limit = part.Target - part.Devices.Count(d => _held.ContainsKey(d.Id));
                if (!_claimed)
                {
                    limit = Math.Min(limit, Math.Max((part.Target + 1) / 2, 1));
                }

                if (limit <= 0)
                {
                    continue;
                }

                // A name with '*' would be a pattern: such devices are claimed through the scope instead.
                var free = part.Devices.Where(d => !_held.ContainsKey(d.Id)).ToList();
                var names = free.Where(d => !d.Name.Contains('*', StringComparison.Ordinal)).Select(d => d.Name).ToList();
                var scope = names.Count == free.Count ? new DeviceFilter { Names = names } : _scope;
                try
                {
                    var leases = await _store.ClaimAsync(Instance.Id, scope, limit, _options.LeaseTime, cancellationToken).ConfigureAwait(false);
                    var claimedAt = _time.GetUtcNow(); // after the claim committed: the previous owner's last poll started before
                    foreach (var lease in leases)
                    {
                        _held[lease.DeviceId] = (lease.Token, claimedAt);
                    }

                    claimed += leases.Count;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Log.LeaseRenewFailed(_logger, ex, Instance.Name);
                    break;
                }
            }

            _claimed = true;
        }

        if (claimed + released + lost > 0)
        {
            Log.LeasesChanged(_logger, Instance.Name, claimed, released, lost, _held.Count, share, renewal.Instances.Count);
        }

        return claimed > 0;
    }

    /// <summary>Takes the store's refusal of writes made under the given leases: those still held under that token are dropped and counted as lost.</summary>
    public void Fenced(IEnumerable<DeviceLease> refused)
    {
        var lost = 0;
        foreach (var lease in refused)
        {
            if (Drop(lease.DeviceId, lease.Token))
            {
                lost++;
                Log.LeaseLost(_logger, Instance.Name, lease.DeviceId);
            }
        }

        _metrics.LeasesLost(lost);
    }

    /// <summary>Gives back every lease and marks the instance stopped: the end of a clean stop. A failure is logged (the leases then expire).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _validUntilTicks, DateTimeOffset.MinValue.UtcTicks);
        LastRenewed = null;
        _held.Clear();
        try
        {
            await _store.StopInstanceAsync(Instance.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.LeaseRenewFailed(_logger, ex, Instance.Name);
        }
    }

    private bool Drop(Guid deviceId, long token)
    {
        if (!_held.TryGetValue(deviceId, out var held) || held.Token != token || !_held.TryRemove(new KeyValuePair<Guid, (long, DateTimeOffset)>(deviceId, held)))
        {
            return false;
        }

        Dropped?.Invoke(deviceId);
        return true;
    }

    /// <summary>
    /// The parts of the instance's scope that the same live instances cover, each with this instance's share of it: a
    /// part of n devices covered by k instances (this one included) gives each n / k, so that instances with the same
    /// scope split it evenly and one with a narrower scope (a site's) shares only that part; what only this instance
    /// covers is all its own. The instance's fair share is the sum.
    /// </summary>
    private List<FleetPart> ClassesOf(IReadOnlyList<Device> devices, IReadOnlyList<MonitorInstanceStatus> instances)
    {
        var filters = new List<DeviceFilter?>(instances.Count + 1) { _scope };
        foreach (var instance in instances)
        {
            if (instance.Id != Instance.Id)
            {
                filters.Add(Parse(instance.Filter));
            }
        }

        var parts = new Dictionary<string, List<Device>>(StringComparer.Ordinal);
        var key = new System.Text.StringBuilder();
        foreach (var device in devices)
        {
            key.Clear();
            for (var i = 1; i < filters.Count; i++)
            {
                key.Append(filters[i] is not { } filter || filter.Matches(device) ? '1' : '0');
            }

            var text = key.ToString();
            if (!parts.TryGetValue(text, out var part))
            {
                parts[text] = part = [];
            }

            part.Add(device);
        }

        return [.. parts.Select(p => new FleetPart(p.Value, 1 + p.Key.Count(c => c == '1')))];
    }

    /// <summary>An instance's scope; one that does not parse (a newer version's syntax) counts as every device.</summary>
    private DeviceFilter? Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }

        if (!_filters.TryGetValue(filter, out var parsed))
        {
            try
            {
                parsed = DeviceFilter.Parse(filter);
            }
            catch (DeviceFilterException)
            {
                parsed = null;
            }

            _filters[filter] = parsed;
        }

        return parsed;
    }

    /// <summary>Devices that the same live instances cover, and this instance's share of them.</summary>
    private sealed class FleetPart(List<Device> devices, int sharing)
    {
        public List<Device> Devices { get; } = devices;

        public double Share { get; } = (double)devices.Count / sharing;

        public int Target => (int)Math.Ceiling(Share - 1e-9);

        public int Floor => Math.Max((int)Math.Floor(Share + 1e-9), 0);

        public int Most => (int)Math.Ceiling((Share * 1.1) - 1e-9);
    }
}
