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
    private readonly Dictionary<Guid, string> _exclusive = [];
    private DateTimeOffset? _unheldSince;
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
    /// Renews (one round trip), drops what was lost, then takes the share: claims up to ⌈share⌉ (one round trip; the
    /// instance's first claim at most half of it) or, when holding more than ⌈1.1 × share⌉, gives back the oldest leases
    /// down to ⌊share⌋ at once (one round trip), so that the instances that claim what is given back reach their share.
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
        var share = Share = ShareOf(devices, renewal.Instances);
        var target = (int)Math.Ceiling(share - 1e-9);
        var floor = Math.Max((int)Math.Floor(share + 1e-9), 0);
        var most = (int)Math.Ceiling((share * 1.1) - 1e-9);
        var unheld = Unheld(devices, renewal.Instances, started);
        int claimed = 0, released = 0;
        if (_held.Count > most)
        {
            // Every extra down to ⌊share⌋ at once, in one release, except the devices whose poll is under way (a poll
            // waiting for its slot does not count: it checks its lease again once it has one). Each is taken out of the
            // held set before its poll is looked at, and a poll marks itself under way before it checks its lease, so
            // that of a release and a poll starting together one always sees the other: the device is given back and the
            // poll gives up, or the poll goes on and the device is kept.
            var want = _held.Count - floor;
            var extras = new List<Guid>(want);
            foreach (var (id, held) in _held.OrderBy(h => h.Value.AcquiredAt).ThenBy(h => h.Key).ToList())
            {
                if (extras.Count >= want)
                {
                    break;
                }

                if (_exclusive.ContainsKey(id))
                {
                    continue; // no other live instance's scope holds it: given back, nobody would claim it
                }

                if (busy(id) || !_held.TryRemove(new KeyValuePair<Guid, (long, DateTimeOffset)>(id, held)))
                {
                    continue;
                }

                Interlocked.MemoryBarrier(); // the removal is seen before the poll's mark is read (the poll: mark, barrier, read)
                if (busy(id))
                {
                    _held.TryAdd(id, held); // its poll started meanwhile: kept
                    continue;
                }

                extras.Add(id);
                Dropped?.Invoke(id); // no longer polled before it is given back
            }

            try
            {
                released = await _store.ReleaseAsync(Instance.Id, extras, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.LeaseRenewFailed(_logger, ex, Instance.Name); // they expire instead
            }
        }
        else if (_held.Count < target || Stranded() is { Count: > 0 } || (_claimed && _held.Count < most && unheld > 0))
        {
            // The instance's first claim takes at most half its share: an instance that starts with others may see
            // itself alone (their heartbeats are not in yet); the others take part of the rest meanwhile, and what it
            // holds above its share at its next tick is little, given back at once.
            var limit = target - _held.Count;
            var scope = _scope;
            if (!_claimed)
            {
                limit = Math.Min(limit, Math.Max((target + 1) / 2, 1));
            }
            else if (limit <= 0)
            {
                // At its share, the instance still claims the devices of its scope that no other live instance's scope
                // holds: nobody else would poll them. (A central monitor at its share beside site monitors would
                // otherwise leave unpolled the part of the fleet only it covers, given back when the site monitors joined.)
                var stranded = Stranded();
                if (stranded.Count > 0)
                {
                    scope = new DeviceFilter { Names = stranded };
                    limit = stranded.Count;
                }
                else
                {
                    // Up to the bound, devices that stayed unheld for a whole lease time while the instances covering
                    // them were at their share (what one gave back did not all go to the others).
                    limit = Math.Min(most - _held.Count, unheld);
                }
            }

            try
            {
                var leases = await _store.ClaimAsync(Instance.Id, scope, limit, _options.LeaseTime, cancellationToken).ConfigureAwait(false);
                var claimedAt = _time.GetUtcNow(); // after the claim committed: the previous owner's last poll started before
                _claimed = true;
                foreach (var lease in leases)
                {
                    _held[lease.DeviceId] = (lease.Token, claimedAt);
                }

                claimed = leases.Count;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.LeaseRenewFailed(_logger, ex, Instance.Name);
            }
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

    /// <summary>
    /// The names of the devices of the scope that no other live instance's scope holds and this one does not hold, after
    /// its first claim (a starting instance sees itself alone). A name with <c>*</c> would be a pattern: left to the share's claim.
    /// </summary>
    private List<string> Stranded() =>
        _claimed ? [.. _exclusive.Where(e => !_held.ContainsKey(e.Key) && !e.Value.Contains('*', StringComparison.Ordinal)).Select(e => e.Value)] : [];

    /// <summary>
    /// How many devices of the scope nobody has held for a whole lease time (an instance below its share claims what is
    /// free at each of its ticks meanwhile, so that joiners and instances still ramping up come first); 0 when the live instances' counts cannot tell it, that
    /// is when another live instance has a scope other than this one's and this one's is not every device.
    /// </summary>
    private int Unheld(IReadOnlyList<Device> devices, IReadOnlyList<MonitorInstanceStatus> instances, DateTimeOffset now)
    {
        var comparable = _scope.IsEmpty || instances.All(i => i.Id == Instance.Id || string.Equals(i.Filter?.Trim(), Instance.Filter, StringComparison.Ordinal));
        var free = comparable ? devices.Count - _held.Count - instances.Where(i => i.Id != Instance.Id).Sum(i => i.DevicesHeld) : 0;
        if (free <= 0)
        {
            _unheldSince = null;
            return 0;
        }

        _unheldSince ??= now;
        return now - _unheldSince.Value >= _options.LeaseTime ? free : 0;
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
    /// The instance's fair share: each device of its scope counts 1 / (the live instances whose scope holds it), so that
    /// instances with the same scope split it evenly and one with a narrower scope (a site's) shares only that part.
    /// </summary>
    private double ShareOf(IReadOnlyList<Device> devices, IReadOnlyList<MonitorInstanceStatus> instances)
    {
        var filters = new List<DeviceFilter?>(instances.Count);
        var self = false;
        foreach (var instance in instances)
        {
            self |= instance.Id == Instance.Id;
            filters.Add(Parse(instance.Filter));
        }

        if (!self)
        {
            filters.Add(_scope);
        }

        var share = 0.0;
        _exclusive.Clear();
        foreach (var device in devices)
        {
            var sharing = 0;
            foreach (var filter in filters)
            {
                if (filter is null || filter.Matches(device))
                {
                    sharing++;
                }
            }

            share += 1.0 / Math.Max(sharing, 1);
            if (sharing <= 1)
            {
                _exclusive[device.Id] = device.Name;
            }
        }

        return share;
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
}
