namespace Flux.Devices.Storage;

/// <summary>
/// A write was refused by fencing: it was made under a device's lease token (<see cref="DeviceLeaseFence"/>) that is no
/// longer the device's current one, because another monitor instance took the device over (or the lease was given back).
/// Nothing of the write was stored.
/// </summary>
public sealed class LeaseLostException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="LeaseLostException"/> class.</summary>
    /// <param name="deviceIds">The devices whose tokens are no longer current.</param>
    public LeaseLostException(IReadOnlyList<Guid> deviceIds)
        : base(Describe(deviceIds))
    {
        DeviceIds = deviceIds;
    }

    /// <summary>Gets the devices whose tokens are no longer current.</summary>
    public IReadOnlyList<Guid> DeviceIds { get; }

    private static string Describe(IReadOnlyList<Guid> deviceIds)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var shown = string.Join(", ", deviceIds.Take(5));
        var more = deviceIds.Count > 5 ? $" and {deviceIds.Count - 5} more" : string.Empty;
        return $"The lease of device(s) {shown}{more} was lost: the write's fencing token is no longer the device's current one (another monitor instance holds it, or it was given back). Nothing of the write was stored.";
    }
}
