namespace Flux.Devices.Discovery;

/// <summary>
/// What auto-registration reads and writes, so that one code path serves registering and its dry run: the registry
/// itself (<see cref="LiveLedger"/>), or the registry seen through the writes a dry run would have made
/// (<see cref="PreviewLedger"/>).
/// </summary>
internal interface IRegistrationLedger
{
    /// <summary>Gets a value indicating whether writes reach the registry (<see langword="false"/> for a dry run).</summary>
    bool Writes { get; }

    ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken);

    ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken);

    ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken);

    /// <summary>Registers, or checks and remembers what would be registered; throws what registering would throw.</summary>
    ValueTask<Device> RegisterAsync(NewDevice device, string actor, CancellationToken cancellationToken);

    /// <summary>Updates, or checks and remembers what would be updated; throws what updating would throw.</summary>
    ValueTask<Device> UpdateAsync(Guid id, long expectedVersion, DeviceUpdate update, string actor, CancellationToken cancellationToken);

    /// <summary>The device as the registry holds it: <paramref name="device"/> itself, or in a dry run the stored one it stands for (<see langword="null"/> when it would be new).</summary>
    Device? AsStored(Device device);
}

/// <summary>The registry: reads and writes go straight to it.</summary>
internal sealed class LiveLedger(IDeviceRegistry registry) : IRegistrationLedger
{
    public bool Writes => true;

    public ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken) => registry.ListAsync(filter, cancellationToken);

    public ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken) => registry.GetAsync(id, cancellationToken);

    public ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken) => registry.GetByNameAsync(name, cancellationToken);

    public ValueTask<Device> RegisterAsync(NewDevice device, string actor, CancellationToken cancellationToken) => registry.RegisterAsync(device, actor, cancellationToken);

    public ValueTask<Device> UpdateAsync(Guid id, long expectedVersion, DeviceUpdate update, string actor, CancellationToken cancellationToken) =>
        registry.UpdateAsync(id, expectedVersion, update, actor, cancellationToken);

    public Device? AsStored(Device device) => device;
}

/// <summary>
/// A dry run's view of the registry: the registry's devices with the writes of this run applied in memory. Each write
/// is checked by the registry's own code (everything but the store write), so it fails exactly as it would for real.
/// One run at a time: a dry run handles its devices one after another.
/// </summary>
internal sealed class PreviewLedger(IDeviceRegistry registry, DeviceRegistry checks) : IRegistrationLedger
{
    /// <summary>The devices this run would have written, by id: new ones and changed registered ones.</summary>
    private readonly Dictionary<Guid, Device> _written = [];

    /// <summary>The registered devices as stored, before this run would have changed them.</summary>
    private readonly Dictionary<Guid, Device> _stored = [];

    public bool Writes => false;

    public async ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken)
    {
        var stored = await registry.ListAsync(filter, cancellationToken).ConfigureAwait(false);
        return [.. stored.Where(d => !_written.ContainsKey(d.Id)), .. _written.Values.Where(filter.Matches)];
    }

    public async ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        _written.GetValueOrDefault(id) ?? await registry.GetAsync(id, cancellationToken).ConfigureAwait(false);

    public async ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken) =>
        _written.Values.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal))
        ?? await registry.GetByNameAsync(name, cancellationToken).ConfigureAwait(false);

    public async ValueTask<Device> RegisterAsync(NewDevice device, string actor, CancellationToken cancellationToken)
    {
        var registered = await checks.PrepareRegistrationAsync(device, actor, cancellationToken).ConfigureAwait(false);
        if (_written.Values.Any(d => string.Equals(d.Name, registered.Name, StringComparison.Ordinal)))
        {
            throw new AlreadyExistsException("name", registered.Name); // taken by a device registered earlier in this run
        }

        _written[registered.Id] = registered;
        return registered;
    }

    public async ValueTask<Device> UpdateAsync(Guid id, long expectedVersion, DeviceUpdate update, string actor, CancellationToken cancellationToken)
    {
        var current = await GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(id);
        var (next, _) = await checks.PrepareUpdateAsync(current, expectedVersion, update, actor, cancellationToken).ConfigureAwait(false);
        if (!_written.ContainsKey(id))
        {
            _stored[id] = current;
        }

        _written[id] = next;
        return next;
    }

    public Device? AsStored(Device device) => _written.ContainsKey(device.Id) ? _stored.GetValueOrDefault(device.Id) : device;
}
