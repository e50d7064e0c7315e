using Flux.Devices.Lifecycle;

namespace Flux.Devices;

/// <summary>
/// The registry's calls with the cancellation token right after the required arguments, for callers that have no
/// actor, reason or version to give: <c>registry.RegisterAsync(device, cancellationToken)</c>.
/// </summary>
public static class DeviceRegistryExtensions
{
    /// <summary>Registers a device, with no actor in its history.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="device">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The registered device.</returns>
    public static ValueTask<Device> RegisterAsync(this IDeviceRegistry registry, NewDevice device, CancellationToken cancellationToken) =>
        NotNull(registry).RegisterAsync(device, null, cancellationToken);

    /// <summary>Registers devices all or nothing, with no actor in their history.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="devices">The devices.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The registered devices, in order.</returns>
    public static ValueTask<IReadOnlyList<Device>> RegisterManyAsync(this IDeviceRegistry registry, IReadOnlyList<NewDevice> devices, CancellationToken cancellationToken) =>
        NotNull(registry).RegisterManyAsync(devices, null, cancellationToken);

    /// <summary>Lists every device, by name.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The devices.</returns>
    public static ValueTask<IReadOnlyList<Device>> ListAsync(this IDeviceRegistry registry, CancellationToken cancellationToken) =>
        NotNull(registry).ListAsync(null, cancellationToken);

    /// <summary>Changes a device (compare-and-set on its version), with no actor in its history.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="id">The device.</param>
    /// <param name="expectedVersion">The version the change was decided on.</param>
    /// <param name="update">The change.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed device.</returns>
    public static ValueTask<Device> UpdateAsync(this IDeviceRegistry registry, Guid id, long expectedVersion, DeviceUpdate update, CancellationToken cancellationToken) =>
        NotNull(registry).UpdateAsync(id, expectedVersion, update, null, cancellationToken);

    /// <summary>Fires a lifecycle trigger with no reason, actor, expected version or metadata.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="id">The device.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="cancellationToken">Cancels the operation until the move is committed.</param>
    /// <returns>The device after the transition.</returns>
    public static ValueTask<Device> FireAsync(this IDeviceRegistry registry, Guid id, DeviceTrigger trigger, CancellationToken cancellationToken) =>
        NotNull(registry).FireAsync(id, trigger, null, null, null, null, cancellationToken);

    /// <summary>Decommissions a device, with no reason or actor in its history.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="id">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The decommissioned device.</returns>
    public static ValueTask<Device> DecommissionAsync(this IDeviceRegistry registry, Guid id, CancellationToken cancellationToken) =>
        NotNull(registry).DecommissionAsync(id, null, null, cancellationToken);

    /// <summary>Decommissions a device, with a reason and no actor in its history.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="id">The device.</param>
    /// <param name="reason">Why, for the history.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The decommissioned device.</returns>
    public static ValueTask<Device> DecommissionAsync(this IDeviceRegistry registry, Guid id, string? reason, CancellationToken cancellationToken) =>
        NotNull(registry).DecommissionAsync(id, reason, null, cancellationToken);

    private static IDeviceRegistry NotNull(IDeviceRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry;
    }
}
