using Flux.Devices.Diagnostics;
using Flux.Devices.Groups;
using Flux.Devices.Internal;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Storage;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flux.Devices;

/// <summary>The registry: validation before every write, one history entry per write, observers after commit.</summary>
internal sealed class DeviceRegistry : IDeviceRegistry
{
    private readonly IDeviceRegistryStore _store;
    private readonly IDeviceGroupStore _groups;
    private readonly DeviceTypeCatalog _types;
    private readonly IRegisterMapProvider _registerMaps;
    private readonly FluxDevicesOptions _options;
    private readonly TimeProvider _time;
    private readonly IDeviceLifecycleObserver[] _observers;
    private readonly ILogger _logger;
    private readonly ILogger _lifecycleLogger;
    private readonly Control.DeviceControlGate _gate;

    public DeviceRegistry(
        IDeviceRegistryStore store,
        IDeviceGroupStore groups,
        DeviceTypeCatalog types,
        IRegisterMapProvider registerMaps,
        IOptions<FluxDevicesOptions> options,
        TimeProvider timeProvider,
        IEnumerable<IDeviceLifecycleObserver> observers,
        Control.DeviceControlGate gate,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observers);
        _store = store;
        _groups = groups;
        _types = types;
        _registerMaps = registerMaps;
        _options = options.Value;
        _time = timeProvider;
        _observers = [.. observers];
        _gate = gate;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger(FluxDevicesDiagnostics.RegistryCategory);
        _lifecycleLogger = loggerFactory.CreateLogger(FluxDevicesDiagnostics.LifecycleCategory);
    }

    public IReadOnlyList<DeviceTypeDefinition> DeviceTypes => _types.All;

    public async ValueTask<Device> RegisterAsync(NewDevice device, string? actor = null, CancellationToken cancellationToken = default)
    {
        var registered = await PrepareRegistrationAsync(device, actor, cancellationToken).ConfigureAwait(false);
        await _store.AddAsync(registered, RegistrationEntry(registered, actor), cancellationToken).ConfigureAwait(false);
        Log.DeviceRegistered(_logger, registered.Name, registered.Id, registered.Type, registered.Site);
        return registered;
    }

    /// <summary>
    /// Everything <see cref="RegisterAsync"/> does but the write: the device it would register, or the exception it
    /// would throw. Dry runs (discovery's preview) go through here, so that they refuse exactly what a registration would.
    /// </summary>
    internal async ValueTask<Device> PrepareRegistrationAsync(NewDevice device, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var now = _time.GetStoredNow();
        var registered = Registration(device, now);
        var errors = Validate(registered);
        FieldRules.CheckFreeText(actor, "actor", FieldRules.MaxActorLength, errors);
        if (device.Id is { } id && await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) is not null)
        {
            errors.AddTaken("id", id.ToString());
        }

        await CheckNameIsFreeAsync(registered, errors, cancellationToken).ConfigureAwait(false);
        ThrowIfInvalid(errors);
        return registered;
    }

    public async ValueTask<IReadOnlyList<Device>> RegisterManyAsync(IReadOnlyList<NewDevice> devices, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var now = _time.GetStoredNow();
        var errors = new ValidationErrors();
        FieldRules.CheckFreeText(actor, "actor", FieldRules.MaxActorLength, errors);
        var registered = new Device[devices.Count];
        for (var i = 0; i < devices.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(devices[i], nameof(devices));
            registered[i] = Registration(devices[i], now);
            foreach (var error in Validate(registered[i]))
            {
                errors.Add(error with { Field = $"devices[{i}].{error.Field}" });
            }
        }

        ThrowIfInvalid(errors);
        var additions = new DeviceWrite[registered.Length];
        for (var i = 0; i < registered.Length; i++)
        {
            additions[i] = new DeviceWrite(registered[i], RegistrationEntry(registered[i], actor));
        }

        // Taken ids and names are the store's to find, in the same transaction (a query per device would cost more than the import).
        await _store.AddManyAsync(additions, cancellationToken).ConfigureAwait(false);
        Log.DevicesRegistered(_logger, registered.Length);
        return registered;
    }

    public ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        _store.GetAsync(id, cancellationToken);

    public ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _store.GetByNameAsync(name, cancellationToken);
    }

    public ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter? filter = null, CancellationToken cancellationToken = default) =>
        _store.ListAsync(filter ?? DeviceFilter.All, cancellationToken);

    public async ValueTask<Device> UpdateAsync(Guid id, long expectedVersion, DeviceUpdate update, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var current = await GetRequiredAsync(id, cancellationToken).ConfigureAwait(false);
        var (next, entry) = await PrepareUpdateAsync(current, expectedVersion, update, actor, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return current;
        }

        await _store.UpdateAsync(next, entry, cancellationToken).ConfigureAwait(false);
        Log.DeviceUpdated(_logger, next.Name, id, next.Version, entry.ChangedFields);
        return next;
    }

    /// <summary>
    /// Everything <see cref="UpdateAsync"/> does to a device as read but the write: the device and history entry it
    /// would write (no entry when nothing changes), or the exception it would throw.
    /// </summary>
    internal async ValueTask<(Device Next, DeviceHistoryEntry? Entry)> PrepareUpdateAsync(Device current, long expectedVersion, DeviceUpdate update, string? actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var id = current.Id;
        if (current.Version != expectedVersion)
        {
            throw new DeviceConcurrencyException(id, expectedVersion, current.Version);
        }

        if (DeviceLifecycle.IsTerminal(current.State))
        {
            throw new DeviceValidationException("state", $"the device is {current.State} and can no longer be changed");
        }

        var changed = current with
        {
            Name = update.Name ?? current.Name,
            Site = update.Site ?? current.Site,
            Metadata = update.Metadata ?? current.Metadata,
            Active = update.Active ?? current.Active,
        };
        var changedFields = ChangedFields(current, changed);
        if (changedFields.Count == 0)
        {
            return (current, null);
        }

        var errors = Validate(changed);
        FieldRules.CheckFreeText(actor, "actor", FieldRules.MaxActorLength, errors);
        CheckLifecycleOwnedFields(current, changed, errors);
        if (!string.Equals(changed.Name, current.Name, StringComparison.Ordinal))
        {
            await CheckNameIsFreeAsync(changed, errors, cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(changed.Site, current.Site, StringComparison.Ordinal))
        {
            await CheckGroupsAllowSiteAsync(changed, errors, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfInvalid(errors);

        var now = _time.GetStoredNow();
        var next = changed with { Version = current.Version + 1, UpdatedAt = now };
        var entry = new DeviceHistoryEntry
        {
            DeviceId = id,
            Version = next.Version,
            Kind = DeviceChangeKind.Updated,
            FromState = current.State,
            ToState = current.State,
            ChangedFields = changedFields.AsReadOnly(),
            Actor = actor,
            Timestamp = now,
        };
        return (next, entry);
    }

    public ValueTask<Device> FireAsync(
        Guid id,
        DeviceTrigger trigger,
        string? reason = null,
        string? actor = null,
        long? expectedVersion = null,
        DeviceMetadata? metadata = null,
        CancellationToken cancellationToken = default) =>
        TransitionAsync(id, trigger, new TransitionRequest(reason, actor, expectedVersion) { Metadata = metadata }, cancellationToken);

    public ValueTask<Device> DecommissionAsync(Guid id, string? reason = null, string? actor = null, CancellationToken cancellationToken = default) =>
        TransitionAsync(id, DeviceTrigger.Decommission, new TransitionRequest(reason, actor, ExpectedVersion: null), cancellationToken);

    public async ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid id, CancellationToken cancellationToken = default)
    {
        _ = await GetRequiredAsync(id, cancellationToken).ConfigureAwait(false);
        return await _store.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fires a trigger as a compare-and-set on the version read. Without an expected version, a concurrent
    /// change sends it round again: the device is read anew and the trigger re-checked against its new state.
    /// </summary>
    internal async ValueTask<Device> TransitionAsync(Guid id, DeviceTrigger trigger, TransitionRequest request, CancellationToken cancellationToken)
    {
        var requestErrors = new ValidationErrors();
        if (trigger == DeviceTrigger.EnterMaintenance && string.IsNullOrWhiteSpace(request.Reason))
        {
            requestErrors.Add(new DeviceValidationError { Field = "reason", Message = "is required to enter maintenance" });
        }

        FieldRules.CheckFreeText(request.Reason, "reason", FieldRules.MaxReasonLength, requestErrors);
        FieldRules.CheckFreeText(request.Actor, "actor", FieldRules.MaxActorLength, requestErrors);
        if (request.Metadata is not null && trigger != DeviceTrigger.DeployConfig)
        {
            requestErrors.Add(new DeviceValidationError { Field = "metadata", Message = $"only {DeviceTrigger.DeployConfig} writes metadata with its transition, not {trigger}" });
        }

        if (request.ExpectedDuration < TimeSpan.Zero)
        {
            requestErrors.Add(new DeviceValidationError { Field = "expected_duration", Message = $"must not be negative, not {request.ExpectedDuration}" });
        }

        ThrowIfInvalid(requestErrors);

        // A control write of the device holds the gate until its outcome is recorded: the move waits for it, so that
        // it never commits while a write is on its way (see IDeviceControl). Released before the observers run.
        var held = await _gate.EnterAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            return await TransitionHeldAsync(id, trigger, request, held, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            held.Dispose();
        }
    }

    private async ValueTask<Device> TransitionHeldAsync(Guid id, DeviceTrigger trigger, TransitionRequest request, Control.DeviceControlGate.Held held, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetRequiredAsync(id, cancellationToken).ConfigureAwait(false);
            if (request.ExpectedVersion is { } expected && current.Version != expected)
            {
                throw new DeviceConcurrencyException(id, expected, current.Version);
            }

            if (!DeviceLifecycle.TryGetTransition(current.State, trigger, out var transition))
            {
                throw new InvalidLifecycleTransitionException(id, current.State, trigger);
            }

            var now = _time.GetStoredNow();
            var next = ApplyEffects(current, transition, request, now) with
            {
                State = transition.To,
                Version = current.Version + 1,
                UpdatedAt = now,
            };
            if (request.Metadata is not null)
            {
                var errors = Validate(next);
                CheckLifecycleOwnedFields(current with { State = next.State }, next, errors);
                ThrowIfInvalid(errors);
            }
            else
            {
                ThrowIfInvalid(CheckSize(next.Metadata, new ValidationErrors()));
            }

            var entry = new DeviceHistoryEntry
            {
                DeviceId = id,
                Version = next.Version,
                Kind = DeviceChangeKind.Transitioned,
                FromState = current.State,
                ToState = next.State,
                Trigger = trigger,
                ChangedFields = ChangedFields(current, next).AsReadOnly(),
                Reason = request.Reason,
                Actor = request.Actor,
                Timestamp = now,
            };

            try
            {
                await _store.UpdateAsync(next, entry, cancellationToken).ConfigureAwait(false);
            }
            catch (DeviceConcurrencyException) when (request.ExpectedVersion is null && attempt < _options.TriggerConflictRetries)
            {
                Log.DeviceConflictRetried(_logger, id, trigger, attempt);
                continue;
            }

            held.Dispose();
            Log.DeviceTransitioned(_lifecycleLogger, next.Name, id, current.State, next.State, trigger);

            // The transition is committed: what follows must not be cut short, or reported as the
            // transition's failure, because the caller gave up.
            await NotifyObserversAsync(new DeviceTransitioned { Previous = current, Device = next, Transition = transition, Entry = entry }).ConfigureAwait(false);
            return next;
        }
    }

    /// <summary>
    /// Fires many devices' triggers in one store batch (<see cref="IDeviceRegistryStore.UpdateManyAsync"/>, one
    /// transaction): each move a compare-and-set on the version of the device as given, holding the device's control gate
    /// like <see cref="FireAsync"/>, logged and told to the lifecycle observers once committed. A move the given state does
    /// not permit, that fails its checks, or whose device changed since it was read, is not written: its result is
    /// <see langword="null"/>, and the caller fires it alone (which reads the device again).
    /// </summary>
    /// <param name="moves">The devices as last read, each with its trigger and reason; at most one per device.</param>
    /// <param name="actor">Who fires them.</param>
    /// <param name="cancellationToken">Cancels the batch (before it is written).</param>
    /// <returns>Each device after its move, in the order given, or <see langword="null"/> when not moved.</returns>
    internal async ValueTask<Device?[]> FireManyAsync(IReadOnlyList<(Device Current, DeviceTrigger Trigger, string Reason)> moves, string actor, CancellationToken cancellationToken)
    {
        var results = new Device?[moves.Count];
        var writes = new List<DeviceWrite>(moves.Count);
        var writeIndex = new List<int>(moves.Count);
        var transitions = new List<LifecycleTransition>(moves.Count);
        var held = new List<Control.DeviceControlGate.Held>(moves.Count);
        IReadOnlyList<DeviceWriteOutcome> written;
        try
        {
            // In id order, as every batch takes them: two batches never wait for each other's gates crosswise.
            foreach (var id in moves.Select(m => m.Current.Id).Order())
            {
                held.Add(await _gate.EnterAsync(id, cancellationToken).ConfigureAwait(false));
            }

            var now = _time.GetStoredNow();
            for (var i = 0; i < moves.Count; i++)
            {
                var (current, trigger, reason) = moves[i];
                if (!DeviceLifecycle.TryGetTransition(current.State, trigger, out var transition))
                {
                    continue;
                }

                var next = ApplyEffects(current, transition, new TransitionRequest(reason, actor, ExpectedVersion: null), now) with
                {
                    State = transition.To,
                    Version = current.Version + 1,
                    UpdatedAt = now,
                };
                var errors = new ValidationErrors();
                FieldRules.CheckFreeText(reason, "reason", FieldRules.MaxReasonLength, errors);
                FieldRules.CheckFreeText(actor, "actor", FieldRules.MaxActorLength, errors);
                if (CheckSize(next.Metadata, errors).Count > 0)
                {
                    continue; // fired alone, it reports the error
                }

                writes.Add(new DeviceWrite(next, new DeviceHistoryEntry
                {
                    DeviceId = current.Id,
                    Version = next.Version,
                    Kind = DeviceChangeKind.Transitioned,
                    FromState = current.State,
                    ToState = next.State,
                    Trigger = trigger,
                    ChangedFields = ChangedFields(current, next).AsReadOnly(),
                    Reason = reason,
                    Actor = actor,
                    Timestamp = now,
                }));
                writeIndex.Add(i);
                transitions.Add(transition);
            }

            written = writes.Count == 0 ? [] : await _store.UpdateManyAsync(writes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            held.ForEach(h => h.Dispose());
        }

        for (var w = 0; w < writes.Count; w++)
        {
            if (written[w] != DeviceWriteOutcome.Written)
            {
                continue;
            }

            var i = writeIndex[w];
            var (device, entry) = writes[w];
            results[i] = device;
            Log.DeviceTransitioned(_lifecycleLogger, device.Name, device.Id, moves[i].Current.State, device.State, moves[i].Trigger);
            await NotifyObserversAsync(new DeviceTransitioned { Previous = moves[i].Current, Device = device, Transition = transitions[w], Entry = entry }).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>
    /// Writes template configurations in one store batch: each device gets its new metadata, and a Registered device
    /// moves to Configured with it ("Config deployment: Update metadata"). Each write is a compare-and-set on the
    /// version the plan saw; a device that changed since is a conflict for that device only.
    /// </summary>
    internal async ValueTask<IReadOnlyList<DeploymentOutcome>> DeployAsync(
        IReadOnlyList<(Device Planned, DeviceMetadata Metadata)> changes,
        string? reason,
        string? actor,
        CancellationToken cancellationToken)
    {
        var requestErrors = new ValidationErrors();
        FieldRules.CheckFreeText(reason, "reason", FieldRules.MaxReasonLength, requestErrors);
        FieldRules.CheckFreeText(actor, "actor", FieldRules.MaxActorLength, requestErrors);
        ThrowIfInvalid(requestErrors);

        var now = _time.GetStoredNow();
        var outcomes = new DeploymentOutcome[changes.Count];
        var writes = new List<DeviceWrite>(changes.Count);
        var writeIndex = new List<int>(changes.Count);
        DeviceLifecycle.TryGetTransition(DeviceState.Registered, DeviceTrigger.DeployConfig, out var deployment);
        for (var i = 0; i < changes.Count; i++)
        {
            var (planned, metadata) = changes[i];
            var configure = planned.State == DeviceState.Registered;
            var next = planned with
            {
                Metadata = metadata,
                State = configure ? deployment!.To : planned.State,
                Version = planned.Version + 1,
                UpdatedAt = now,
            };
            var errors = Validate(next);
            CheckLifecycleOwnedFields(planned, next, errors);
            if (errors.Count > 0)
            {
                outcomes[i] = new DeploymentOutcome(null, null, new DeviceValidationException([.. errors]).Message);
                continue;
            }

            var entry = new DeviceHistoryEntry
            {
                DeviceId = next.Id,
                Version = next.Version,
                Kind = configure ? DeviceChangeKind.Transitioned : DeviceChangeKind.Updated,
                FromState = planned.State,
                ToState = next.State,
                Trigger = configure ? DeviceTrigger.DeployConfig : null,
                ChangedFields = ChangedFields(planned, next).AsReadOnly(),
                Reason = reason,
                Actor = actor,
                Timestamp = now,
            };
            writes.Add(new DeviceWrite(next, entry));
            writeIndex.Add(i);
        }

        var written = writes.Count == 0 ? [] : await _store.UpdateManyAsync(writes, cancellationToken).ConfigureAwait(false);
        for (var w = 0; w < writes.Count; w++)
        {
            var i = writeIndex[w];
            var (device, entry) = writes[w];
            outcomes[i] = new DeploymentOutcome(written[w], written[w] == DeviceWriteOutcome.Written ? device : null, null);
            if (written[w] != DeviceWriteOutcome.Written)
            {
                continue;
            }

            if (entry.Kind == DeviceChangeKind.Transitioned)
            {
                Log.DeviceTransitioned(_lifecycleLogger, device.Name, device.Id, entry.FromState!.Value, device.State, DeviceTrigger.DeployConfig);
                await NotifyObserversAsync(new DeviceTransitioned { Previous = changes[i].Planned, Device = device, Transition = deployment!, Entry = entry }).ConfigureAwait(false);
            }
            else
            {
                Log.DeviceUpdated(_logger, device.Name, device.Id, device.Version, entry.ChangedFields);
            }
        }

        return outcomes;
    }

    private static Device ApplyEffects(Device device, LifecycleTransition transition, TransitionRequest request, DateTimeOffset now)
    {
        switch (transition.Trigger)
        {
            case DeviceTrigger.EnterMaintenance:
                var info = new MaintenanceInfo
                {
                    StartedAt = now,
                    Reason = request.Reason!,
                    ExpectedDuration = request.ExpectedDuration,
                };
                return device with
                {
                    Active = false,
                    Metadata = device.Metadata.With(MaintenanceInfo.MetadataKey, info.ToMetadata()),
                };
            case DeviceTrigger.ExitMaintenance:
                return device with { Active = true, Metadata = device.Metadata.Without(MaintenanceInfo.MetadataKey) };
            case DeviceTrigger.Decommission:
                return device with { Active = false };
            case DeviceTrigger.DeployConfig when request.Metadata is { } metadata:
                return device with { Metadata = metadata };
            default:
                return device;
        }
    }

    private async ValueTask NotifyObserversAsync(DeviceTransitioned transitioned)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnTransitionedAsync(transitioned, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The transition is committed; an observer's failure must not be reported as the transition's.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ObserverFailed(_lifecycleLogger, ex, observer.GetType().Name, transitioned.Transition.Trigger, transitioned.Device.Name);
            }
        }
    }

    private async ValueTask<Device> GetRequiredAsync(Guid id, CancellationToken cancellationToken) =>
        await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(id);

    /// <summary>
    /// The maintenance block belongs to maintenance mode, and the active flag of a device in maintenance to the
    /// lifecycle: an update must not forge, alter or drop them. (A stale block on a device that is not in
    /// maintenance, as another tool may leave one, can be removed.)
    /// </summary>
    private static void CheckLifecycleOwnedFields(Device current, Device changed, ValidationErrors errors)
    {
        current.Metadata.TryGetValue(MaintenanceInfo.MetadataKey, out var before);
        changed.Metadata.TryGetValue(MaintenanceInfo.MetadataKey, out var after);
        var allowed = after.ValueKind == JsonValueKind.Undefined
            ? before.ValueKind == JsonValueKind.Undefined || current.State != DeviceState.Maintenance
            : before.ValueKind != JsonValueKind.Undefined && JsonElement.DeepEquals(before, after);
        if (!allowed)
        {
            errors.Add(new DeviceValidationError { Field = $"metadata.{MaintenanceInfo.MetadataKey}", Message = "is set and cleared by maintenance mode (IMaintenanceService), not by an update" });
        }

        if (current.State == DeviceState.Maintenance && changed.Active != current.Active)
        {
            errors.Add(new DeviceValidationError { Field = "active", Message = "a device in maintenance stays inactive until maintenance ends" });
        }
    }

    private async ValueTask CheckGroupsAllowSiteAsync(Device device, ValidationErrors errors, CancellationToken cancellationToken)
    {
        foreach (var membership in await _groups.ListMembershipsAsync(device.Id, cancellationToken).ConfigureAwait(false))
        {
            var group = await _groups.GetGroupAsync(membership.GroupId, cancellationToken).ConfigureAwait(false);
            if (group is not null
                && !string.Equals(group.Site, DeviceGroup.AllSites, StringComparison.Ordinal)
                && !string.Equals(group.Site, device.Site, StringComparison.Ordinal))
            {
                errors.Add(new DeviceValidationError { Field = "site", Message = $"the device is a member of group {group.Name}, which is for site {group.Site}; remove it from the group first" });
            }
        }
    }

    private async ValueTask CheckNameIsFreeAsync(Device device, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (errors.Exists(e => e.Field == "name"))
        {
            return;
        }

        var holder = await _store.GetByNameAsync(device.Name, cancellationToken).ConfigureAwait(false);
        if (holder is not null && holder.Id != device.Id)
        {
            errors.AddTaken("name", device.Name);
        }
    }

    /// <summary>A <c>register_map</c> named in metadata (a meter's, any host type's) must resolve through the register map provider.</summary>
    private void CheckRegisterMap(DeviceMetadata metadata, ValidationErrors errors)
    {
        if (metadata.TryGetValue("register_map", out var value)
            && value.ValueKind == JsonValueKind.String
            && value.GetString() is { } name
            && !string.IsNullOrWhiteSpace(name)
            && _registerMaps.Find(name) is null
            && !errors.Any(e => e.Field == "metadata.register_map"))
        {
            errors.Add(new DeviceValidationError { Field = "metadata.register_map", Message = $"'{name}' is not a known register map; known maps are {string.Join(", ", _registerMaps.Names)}" });
        }
    }

    private ValidationErrors Validate(Device device)
    {
        var errors = new ValidationErrors();
        FieldRules.CheckText(device.Name, "name", FieldRules.MaxNameLength, errors);
        if (FieldRules.CheckText(device.Site, "site", FieldRules.MaxSiteLength, errors)
            && string.Equals(device.Site, DeviceGroup.AllSites, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new DeviceValidationError { Field = "site", Message = $"'{DeviceGroup.AllSites}' is reserved for groups that span every site" });
        }

        if (string.IsNullOrEmpty(device.Type))
        {
            errors.Add(new DeviceValidationError { Field = "type", Message = "is required" });
        }
        else if (_types.Find(device.Type) is { } definition)
        {
            errors.AddRange(definition.Validate(device.Metadata));
            CheckRegisterMap(device.Metadata, errors);
        }
        else
        {
            errors.Add(new DeviceValidationError { Field = "type", Message = $"'{device.Type}' is not a registered device type; registered types are {string.Join(", ", _types.All.Select(t => t.Name))}" });
        }

        return CheckSize(device.Metadata, errors);
    }

    private ValidationErrors CheckSize(DeviceMetadata metadata, ValidationErrors errors)
    {
        var size = metadata.GetUtf8ByteCount();
        if (size > _options.MaxMetadataBytes)
        {
            errors.Add(new DeviceValidationError { Field = "metadata", Message = $"is {size} bytes of JSON; the limit is {_options.MaxMetadataBytes}" });
        }

        return errors;
    }

    private static Device Registration(NewDevice device, DateTimeOffset now) => new()
    {
        Id = device.Id ?? Guid.CreateVersion7(now),
        Name = device.Name,
        Type = device.Type,
        Site = device.Site,
        Metadata = device.Metadata ?? DeviceMetadata.Empty,
        Active = device.Active,
        State = DeviceLifecycle.InitialState,
        Version = 1,
        CreatedAt = now,
        UpdatedAt = now,
    };

    private static DeviceHistoryEntry RegistrationEntry(Device registered, string? actor) => new()
    {
        DeviceId = registered.Id,
        Version = 1,
        Kind = DeviceChangeKind.Registered,
        ToState = registered.State,
        Actor = actor,
        Timestamp = registered.CreatedAt,
    };

    private static void ThrowIfInvalid(ValidationErrors errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        // A taken name or id alone is the more specific AlreadyExistsException, as the store would throw.
        if (errors.Count == 1 && errors.Taken is { } taken)
        {
            throw new AlreadyExistsException(taken.Field, taken.Value);
        }

        throw new DeviceValidationException([.. errors]);
    }

    /// <summary>The errors found so far, remembering a taken unique key.</summary>
    private sealed class ValidationErrors : List<DeviceValidationError>
    {
        public (string Field, string Value)? Taken { get; private set; }

        public void AddTaken(string field, string value)
        {
            Taken = (field, value);
            Add(new DeviceValidationError { Field = field, Message = $"'{value}' is already taken" });
        }
    }

    private static List<string> ChangedFields(Device before, Device after)
    {
        var fields = new List<string>();
        if (!string.Equals(before.Name, after.Name, StringComparison.Ordinal))
        {
            fields.Add("name");
        }

        if (!string.Equals(before.Site, after.Site, StringComparison.Ordinal))
        {
            fields.Add("site");
        }

        if (before.Active != after.Active)
        {
            fields.Add("active");
        }

        if (before.State != after.State)
        {
            fields.Add("state");
        }

        if (!ReferenceEquals(before.Metadata, after.Metadata))
        {
            fields.AddRange(before.Metadata.DifferingKeys(after.Metadata).Select(k => "metadata." + k));
        }

        return fields;
    }
}

/// <summary>What became of one device of a deployment: the store's outcome and the device written, or why it was refused.</summary>
internal readonly record struct DeploymentOutcome(DeviceWriteOutcome? Outcome, Device? Written, string? Error);

/// <summary>What a caller said along with a trigger.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Actor">Who.</param>
/// <param name="ExpectedVersion">The version the caller decided on, if it insists on one.</param>
internal sealed record TransitionRequest(string? Reason, string? Actor, long? ExpectedVersion)
{
    /// <summary>Gets the expected duration of maintenance, for <see cref="DeviceTrigger.EnterMaintenance"/>.</summary>
    public TimeSpan? ExpectedDuration { get; init; }

    /// <summary>Gets the metadata to write with the move, for <see cref="DeviceTrigger.DeployConfig"/> ("Update metadata").</summary>
    public DeviceMetadata? Metadata { get; init; }
}
