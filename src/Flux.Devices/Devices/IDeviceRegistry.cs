using Flux.Devices.Lifecycle;

namespace Flux.Devices;

/// <summary>
/// The device registry: registers devices, finds them, changes them under optimistic concurrency, and moves
/// them through their lifecycle. Obtain it from the container after <c>services.AddFluxDevices()</c>.
/// </summary>
/// <remarks>
/// Every change is validated before anything is written, written with its history entry in one store write,
/// and refused with <see cref="DeviceConcurrencyException"/> when the device changed since the caller read it.
/// The registry is thread-safe and may be shared by any number of callers and processes (with a shared store).
/// </remarks>
public interface IDeviceRegistry
{
    /// <summary>Gets the device types the registry accepts.</summary>
    IReadOnlyList<DeviceTypeDefinition> DeviceTypes { get; }

    /// <summary>Registers a device in the <see cref="DeviceState.Registered"/> state, at version 1.</summary>
    /// <param name="device">The device to register.</param>
    /// <param name="actor">Who registers it, for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The registered device.</returns>
    /// <exception cref="DeviceValidationException">
    /// A field breaks a rule (unknown type, invalid metadata, blank site, ...); every failing field is listed.
    /// <see cref="AlreadyExistsException"/> when only the name or id is taken. Nothing was stored.
    /// </exception>
    ValueTask<Device> RegisterAsync(NewDevice device, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers many devices at once, all in <see cref="DeviceState.Registered"/> at version 1, in one store transaction:
    /// all of them or none (an import, a site's commissioning list). Much faster than one <see cref="RegisterAsync"/> each.
    /// </summary>
    /// <param name="devices">The devices to register.</param>
    /// <param name="actor">Who registers them, for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The registered devices, in the order given.</returns>
    /// <exception cref="DeviceValidationException">
    /// A device breaks a rule; every failing field is listed, named after the device's place in the list
    /// (<c>devices[3].metadata.efficiency</c>); <see cref="AlreadyExistsException"/> when an id or a name is taken or given
    /// twice. Nothing was stored.
    /// </exception>
    ValueTask<IReadOnlyList<Device>> RegisterManyAsync(IReadOnlyList<NewDevice> devices, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a device by id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/>.</returns>
    ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>Gets a device by its exact name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/>.</returns>
    ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists devices that match a filter, ordered by name.</summary>
    /// <param name="filter">The filter; <see langword="null"/> for every device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The devices.</returns>
    ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes a device's name, site, metadata or active flag, if it is still at <paramref name="expectedVersion"/>.
    /// A change that changes nothing writes nothing and returns the device as it is.
    /// </summary>
    /// <param name="id">The device.</param>
    /// <param name="expectedVersion">The version the change is based on (the <see cref="Device.Version"/> the caller read).</param>
    /// <param name="update">What to change.</param>
    /// <param name="actor">Who changes it, for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device after the change.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    /// <exception cref="DeviceConcurrencyException">The device is no longer at <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="DeviceValidationException">
    /// The changed device breaks a rule, is decommissioned, or the update touches what the lifecycle owns (the
    /// <c>maintenance</c> block; the active flag of a device in maintenance); a new site conflicts with a site
    /// group the device is in. Nothing was written.
    /// </exception>
    ValueTask<Device> UpdateAsync(Guid id, long expectedVersion, DeviceUpdate update, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fires a lifecycle trigger. The move is a compare-and-set on the device's state and version; the history
    /// entry is written with it, and observers and notifiers are told after it is committed.
    /// </summary>
    /// <param name="id">The device.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="reason">Why, for the history (required for <see cref="DeviceTrigger.EnterMaintenance"/>).</param>
    /// <param name="actor">Who fires it, for the history.</param>
    /// <param name="expectedVersion">
    /// The version the caller decided on, to refuse the trigger if the device changed since; <see langword="null"/>
    /// to accept any version, in which case a concurrent change makes the registry read the device again and
    /// re-check that the trigger is still permitted.
    /// </param>
    /// <param name="metadata">
    /// For <see cref="DeviceTrigger.DeployConfig"/> only (the spec's "Update metadata" action): the deployed metadata,
    /// replacing the whole object in the same write as the move, validated against the device's type.
    /// </param>
    /// <param name="cancellationToken">
    /// Cancels the operation until the move is committed; observers and notifiers then run to completion.
    /// </param>
    /// <returns>The device after the transition.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    /// <exception cref="InvalidLifecycleTransitionException">The device's state does not permit the trigger; nothing was written.</exception>
    /// <exception cref="DeviceConcurrencyException">The device is no longer at <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="DeviceValidationException">The reason, the actor or the metadata breaks a rule; nothing was written.</exception>
    ValueTask<Device> FireAsync(
        Guid id,
        DeviceTrigger trigger,
        string? reason = null,
        string? actor = null,
        long? expectedVersion = null,
        DeviceMetadata? metadata = null,
        CancellationToken cancellationToken = default);

    /// <summary>Decommissions a device (the <see cref="DeviceTrigger.Decommission"/> trigger): it becomes inactive, for good.</summary>
    /// <param name="id">The device.</param>
    /// <param name="reason">Why, for the history.</param>
    /// <param name="actor">Who decommissions it, for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The decommissioned device.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    /// <exception cref="InvalidLifecycleTransitionException">The device is already decommissioned.</exception>
    ValueTask<Device> DecommissionAsync(Guid id, string? reason = null, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a device's history, oldest first: one entry per version.</summary>
    /// <param name="id">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entries.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid id, CancellationToken cancellationToken = default);
}
