using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Health.Internal;
using Flux.Devices.Internal;
using Flux.Devices.Notifications;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Telemetry.Internal;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Health;

/// <summary>
/// The health monitor: a poll per device on the device's own schedule, bounded in concurrency, with every deadline
/// and delay on the injected <see cref="TimeProvider"/>. It wires its parts: the <see cref="PollScheduler"/> (due
/// times, wake-ups), the <see cref="DevicePoller"/> (attempts, deadlines, samples), the <see cref="HealthLifecycle"/>
/// (the moves polls drive) and, while the loop runs, the <see cref="HealthSampleWriter"/> (batched store writes).
/// One poll serves health and telemetry: the poll of an Active device is decoded into its
/// <see cref="TelemetryFrame"/> (<see cref="DeviceTelemetry"/>), published to subscribers and, with an
/// <see cref="ITelemetryStore"/>, written by a <see cref="TelemetryWriter"/>.
/// </summary>
/// <remarks>
/// The loop starts each poll when it falls due, without waiting for other polls: a stalled device holds its own
/// concurrency slot until its deadline and delays no one else. Before each poll the device is read again from the
/// store, so that a device another process put into maintenance or decommissioned is not touched. Failed devices stay on
/// the list: after each poll of one, its next probe is set on the backoff (<see cref="PollTarget.ScheduleAfter"/>) instead
/// of its polling interval.
/// </remarks>
internal sealed class DeviceHealthMonitor : IDeviceHealthMonitor, IAsyncDisposable, IDisposable
{
    private static readonly DeviceFilter Pollable = new()
    {
        States = [DeviceState.Configured, DeviceState.Testing, DeviceState.Active, DeviceState.Failed],
        Active = true,
    };

    private readonly IDeviceStore _store;
    private readonly IModbusTransport _transport;
    private readonly bool _ownsTransport;
    private readonly DeviceHealthOptions _options;
    private readonly IDeviceHealthObserver[] _observers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HealthMetrics _metrics;
    private readonly PollScheduler _scheduler;
    private readonly DevicePoller _poller;
    private readonly HealthLifecycle _lifecycle;
    private readonly SemaphoreSlim _slots;
    private readonly DeviceTelemetry _telemetry;
    private readonly ITelemetryStore? _telemetryStore;
    private readonly DeviceFilter? _scope;
    private readonly LeaseCoordinator? _leases;
    private IReadOnlyList<Device>? _listed;
    private DateTimeOffset _nextList = DateTimeOffset.MinValue;
    private int _running;

    public DeviceHealthMonitor(
        IDeviceStore store,
        IDeviceRegistry registry,
        (IModbusTransport Transport, bool Owned) transport,
        DeviceHealthOptions options,
        NotificationDispatcher notifications,
        IEnumerable<IDeviceHealthObserver> observers,
        TimeProvider time,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        DeviceTelemetry? telemetry = null,
        ITelemetryStore? telemetryStore = null,
        IDeviceLeaseStore? leaseStore = null)
    {
        _store = store;
        (_transport, _ownsTransport) = transport;
        _options = options;
        _observers = [.. observers];
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.HealthCategory);
        _scheduler = new PollScheduler(options, time);
        _metrics = new HealthMetrics(meterFactory, CountByStatus);
        _poller = new DevicePoller(_transport, options, time, _metrics, _logger);
        _lifecycle = new HealthLifecycle(registry, store, notifications, _logger);
        _slots = new SemaphoreSlim(options.MaxConcurrentPolls, options.MaxConcurrentPolls);
        _telemetry = telemetry ?? new DeviceTelemetry(meterFactory);
        _telemetryStore = telemetryStore;
        _scheduler.Forgotten = _telemetry.MarkStale;
        _scope = string.IsNullOrWhiteSpace(options.Scope) ? null : DeviceFilter.Parse(options.Scope);
        if (options.Leases is { Enabled: true } leases)
        {
            if (leaseStore is null)
            {
                throw new Microsoft.Extensions.Options.OptionsValidationException(
                    Microsoft.Extensions.Options.Options.DefaultName,
                    typeof(DeviceHealthOptions),
                    [DeviceLeaseStoreValidator.NoLeaseStore(store.GetType().Name)]);
            }

            _leases = new LeaseCoordinator(leaseStore, leases, options.Scope, _scope ?? DeviceFilter.All, time, _metrics, _logger);
            _leases.Dropped = _scheduler.Forget;
            _scheduler.RefreshInterval = leases.RenewInterval < options.RefreshInterval ? leases.RenewInterval : options.RefreshInterval;
        }
    }

    /// <summary>Gets the lease coordinator, when the monitor runs with leases (tests, the health check).</summary>
    internal LeaseCoordinator? Leases => _leases;

    /// <summary>Called by the loop each time it goes to sleep, with the time it will wake at (tests advance a fake clock on it).</summary>
    internal Action<DateTimeOffset>? Sleeping
    {
        get => _scheduler.Sleeping;
        set => _scheduler.Sleeping = value;
    }

    public async ValueTask<IReadOnlyList<DeviceHealthSample>> CheckAsync(DeviceFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var devices = await _store.ListAsync(Pollable, cancellationToken).ConfigureAwait(false);
        var targets = new List<PollTarget>(devices.Count);
        var added = false;
        foreach (var device in devices)
        {
            if ((filter is null || filter.Matches(device)) && InScope(device) && (_leases is null || _leases.TryGetToken(device.Id, out _)))
            {
                targets.Add(_scheduler.Track(device, _time.GetUtcNow(), ref added));
            }
        }

        if (added)
        {
            await SeedAsync(cancellationToken).ConfigureAwait(false);
        }

        var readings = _telemetryStore is null ? null : new System.Collections.Concurrent.ConcurrentQueue<TelemetryReading>();
        var polled = await Task.WhenAll(targets.Select(target => PollAsync(target, readings is null ? null : (reading, _) => readings.Enqueue(reading), cancellationToken))).ConfigureAwait(false);
        var samples = polled.Where(p => p.Sample is not null).Select(p => p.Sample!).ToList();

        // With leases, the writes are fenced by the tokens the devices were polled under.
        var tokens = polled.Where(p => p.Sample is not null && p.Token is not null).ToDictionary(p => p.Sample!.DeviceId, p => p.Token!.Value);
        using var fence = tokens.Count == 0 ? null : DeviceLeaseFence.Enter(tokens);
        foreach (var batch in samples.Chunk(_options.SampleBatchSize))
        {
            await _store.AppendHealthAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        if (readings is { IsEmpty: false })
        {
            foreach (var batch in readings.Chunk(_options.TelemetryBatchSize))
            {
                await _telemetryStore!.AppendTelemetryAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }

        return samples;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("The health monitor is already running.");
        }

        Action<IReadOnlyList<DeviceLease>>? fenced = _leases is null ? null : _leases.Fenced;
        var writer = new HealthSampleWriter(_store.AppendHealthAsync, _options, _metrics, _logger, fenced);
        var telemetryWriter = _telemetryStore is null ? null : new TelemetryWriter(_telemetryStore, _options.TelemetryBatchSize, _options.MaxPendingReadings, _telemetry, _logger, fenced, _metrics);
        Action<TelemetryReading, long?>? storeReading = telemetryWriter is null ? null : telemetryWriter.Enqueue;
        try
        {
            await _scheduler.RunAsync(RefreshAsync, PollAndQueueAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
            if (telemetryWriter is not null)
            {
                await telemetryWriter.CompleteAsync().ConfigureAwait(false);
            }

            if (_leases is not null)
            {
                // A clean stop: what waited is written (under the leases), then every lease is given back at once.
                using var giveBack = new CancellationTokenSource(_options.Leases.LeaseTime);
                await _leases.StopAsync(giveBack.Token).ConfigureAwait(false);
                _listed = null;
            }

            Volatile.Write(ref _running, 0);
        }

        async Task PollAndQueueAsync(PollTarget target, CancellationToken stopping)
        {
            if (await PollAsync(target, storeReading, stopping).ConfigureAwait(false) is ({ } sample, var token))
            {
                writer.Enqueue(sample, token);
            }
        }
    }

    public IReadOnlyList<DeviceHealth> GetLatest()
    {
        var latest = new List<DeviceHealth>(_scheduler.Targets.Count);
        foreach (var target in _scheduler.Targets)
        {
            if (target.Latest is { } health)
            {
                latest.Add(health);
            }
        }

        latest.Sort(static (a, b) => NameOrder.Compare(a.DeviceName, b.DeviceName));
        return latest;
    }

    /// <summary>
    /// Polls one device: the one path of the loop and of <see cref="CheckAsync"/>. Gives no sample when the device is
    /// already being polled, should no longer be polled, or the store failed under the poll (logged; the next poll tries again).
    /// The poll of a device that is Active when polled is its telemetry too: decoded, published, and its readings with a
    /// value handed to <paramref name="storeReading"/>.
    /// </summary>
    private async Task<(DeviceHealthSample? Sample, long? Token)> PollAsync(PollTarget target, Action<TelemetryReading, long?>? storeReading, CancellationToken cancellationToken)
    {
        if (!target.TryBegin())
        {
            return default;
        }

        long? token = null;
        Activity? activity = null;
        try
        {
            if (_leases is not null && !_leases.TryGetToken(target.DeviceId, out _))
            {
                return default;
            }

            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_leases is not null)
                {
                    // Only under a lease held now that the poll has its slot (the device may have been given back while
                    // the poll waited: a waiting poll does not keep a device, see LeaseCoordinator.TickAsync); its token
                    // fences every write of this poll (the lifecycle's here, the sample's and the readings' in the writers).
                    target.BeginPolling();
                    if (!_leases.TryGetToken(target.DeviceId, out var held))
                    {
                        return default;
                    }

                    token = held;
                }

                using var fence = token is { } fencing ? DeviceLeaseFence.Enter(target.DeviceId, fencing) : null;
                activity = PollActivity.Start(target.DeviceId);
                var stops = _telemetry.StopsOf(target.DeviceId); // before the device is read: a move out of Active after this stops its telemetry
                var device = await _store.GetAsync(target.DeviceId, cancellationToken).ConfigureAwait(false);
                if (device is null || !Pollable.Matches(device) || !InScope(device))
                {
                    _scheduler.Forget(target.DeviceId);
                    PollActivity.Skip(activity);
                    return default;
                }

                target.Update(device, _options);
                device = await _lifecycle.BeginAsync(device, cancellationToken).ConfigureAwait(false);
                if (device is null)
                {
                    PollActivity.Skip(activity);
                    return default;
                }

                target.Update(device, _options);
                if (token is { } polledUnder && (!_leases!.TryGetToken(target.DeviceId, out var now) || now != polledUnder))
                {
                    // The lease lapsed or changed while the poll waited for the store (a slow or restarted database):
                    // another instance may poll the device now, so this one does not ask it.
                    PollActivity.Skip(activity);
                    return default;
                }

                PollActivity.Describe(activity, target);
                var telemetryEnabled = device.State == DeviceState.Active;
                var (sample, outcome) = await _poller.PollAsync(target, cancellationToken).ConfigureAwait(false);
                PollActivity.Complete(activity, sample, outcome);
                RecordTelemetry(target, telemetryEnabled, stops, outcome, sample.Timestamp, storeReading is null ? null : reading => storeReading(reading, token));
                device = await _lifecycle.ApplyAsync(target, device, sample, cancellationToken).ConfigureAwait(false);
                target.ScheduleAfter(device.State, _time.GetUtcNow(), _options);
                target.Latest = new DeviceHealth { DeviceId = device.Id, DeviceName = device.Name, State = device.State, Sample = sample };
                await NotifyObserversAsync(device, sample, cancellationToken).ConfigureAwait(false);
                return (sample, token);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (LeaseLostException ex) when (token is { } lost)
        {
            // A lifecycle move refused by the fence: another instance holds the device; this poll stores nothing.
            Log.LeaseWriteFenced(_logger, 1, _leases!.Instance.Name, target.DeviceId);
            _metrics.FencedWriteRefused(1);
            _leases.Fenced([.. ex.DeviceIds.Select(id => new DeviceLease(id, lost))]);
            FluxActivities.Fail(activity, ex);
            return default;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PollAborted(_logger, ex, target.DeviceId);
            FluxActivities.Fail(activity, ex);
            return default;
        }
        finally
        {
            activity?.Dispose();
            target.End();
        }
    }

    /// <summary>
    /// Telemetry of one poll: a successful poll of a device that was Active is decoded and published; a failed poll, or
    /// a poll of a device no longer Active (Testing after maintenance), turns its latest readings Stale. A poll during which
    /// the device left Active (<paramref name="stops"/> counted before it) decodes nothing: its readings stay Stale.
    /// </summary>
    private void RecordTelemetry(PollTarget target, bool enabled, int stops, PollOutcome outcome, DateTimeOffset timestamp, Action<TelemetryReading>? storeReading)
    {
        if (!enabled || !outcome.Succeeded || outcome.Readings is not { } readings)
        {
            _telemetry.MarkStale(target.DeviceId);
            return;
        }

        var frame = target.Telemetry = _telemetry.FrameFor(target.DeviceId, readings.Plan, target.CtRatio, target.VtRatio, target.Telemetry);
        _telemetry.Record(frame, readings, timestamp, stops, storeReading);
    }

    private async ValueTask NotifyObserversAsync(Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnSampledAsync(device, sample, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.HealthObserverFailed(_logger, ex, observer.GetType().Name, device.Name);
            }
        }
    }

    /// <summary>
    /// Reads the device list again for the loop; a store failure is logged and the loop goes on with the list it has.
    /// With leases, called every renew interval: renews and takes the share when due (<see cref="LeaseCoordinator.TickAsync"/>),
    /// lists the devices every <see cref="DeviceHealthOptions.RefreshInterval"/> (and after a claim), and polls those held.
    /// </summary>
    private async ValueTask RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_leases is null)
        {
            if (await ListAsync(cancellationToken).ConfigureAwait(false) is { } devices && _scheduler.Reconcile(devices, now))
            {
                await SeedAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (_listed is null || now >= _nextList)
        {
            _listed = await ListAsync(cancellationToken).ConfigureAwait(false) ?? _listed;
            _nextList = now + _options.RefreshInterval;
        }

        if (_listed is null)
        {
            return;
        }

        if (_leases.Due(now) && await _leases.TickAsync(_listed, _scheduler.IsPolling, cancellationToken).ConfigureAwait(false))
        {
            _listed = await ListAsync(cancellationToken).ConfigureAwait(false) ?? _listed; // a claimed device may be newer than the list
        }

        var held = new List<Device>(_leases.HeldCount);
        foreach (var device in _listed)
        {
            if (_leases.TryGetToken(device.Id, out _))
            {
                held.Add(device);
            }
        }

        if (_scheduler.Reconcile(held, now))
        {
            await SeedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The devices that should be polled, in the monitor's scope; <see langword="null"/> when the store failed (logged).</summary>
    private async ValueTask<IReadOnlyList<Device>?> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            var devices = await _store.ListAsync(Pollable, cancellationToken).ConfigureAwait(false);
            return _scope is null ? devices : [.. devices.Where(_scope.Matches)];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HealthRefreshFailed(_logger, ex);
            return null;
        }
    }

    private bool InScope(Device device) => _scope is null || _scope.Matches(device);

    /// <summary>Carries error counts and last good polls of devices new to this monitor from the store's newest samples.</summary>
    private async ValueTask SeedAsync(CancellationToken cancellationToken)
    {
        try
        {
            _scheduler.Seed(await _store.ListLatestHealthAsync(cancellationToken).ConfigureAwait(false), keepInterval: _leases is not null, _leases is null ? null : _leases.AcquiredAt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HealthRefreshFailed(_logger, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsTransport && _transport is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Disposes the transport the monitor owns, as <see cref="DisposeAsync"/> does, for a container disposed with
    /// <c>Dispose()</c>: synchronously when the transport can (the Modbus TCP client can), else by waiting for its
    /// <see cref="IAsyncDisposable.DisposeAsync"/> on the thread pool, away from any synchronisation context.
    /// </summary>
    public void Dispose()
    {
        if (!_ownsTransport)
        {
            return;
        }

        if (_transport is IDisposable synchronous)
        {
            synchronous.Dispose();
        }
        else if (_transport is IAsyncDisposable disposable)
        {
            Task.Run(() => disposable.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        }
    }

    private int[] CountByStatus()
    {
        var counts = new int[3];
        foreach (var target in _scheduler.Targets)
        {
            if (target.Latest is { } health)
            {
                counts[(int)health.Sample.Status]++;
            }
        }

        return counts;
    }
}
