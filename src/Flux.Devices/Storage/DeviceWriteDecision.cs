using Flux.Devices.Lifecycle;

namespace Flux.Devices.Storage;

/// <summary>
/// What a store does with each write of <see cref="IDeviceRegistryStore.UpdateManyAsync"/>. A store decides every
/// write of the batch (holding its lock or transaction) before it makes any, then writes those decided
/// <see cref="DeviceWriteOutcome.Written"/>; so a batch refused for a rename leaves nothing half-written.
/// </summary>
public static class DeviceWriteDecision
{
    /// <summary>Decides one write of a batch against what the store holds for its device.</summary>
    /// <param name="device">The new version of the device (the write's <see cref="DeviceWrite.Device"/>).</param>
    /// <param name="storedVersion">The version the store holds, or <see langword="null"/> when it holds no device with the id.</param>
    /// <param name="storedName">The name the store holds; not read when <paramref name="storedVersion"/> is <see langword="null"/>.</param>
    /// <returns>
    /// <see cref="DeviceWriteOutcome.NotFound"/> for an unknown device, <see cref="DeviceWriteOutcome.Conflict"/> when the
    /// store does not hold <c>device.Version - 1</c>, otherwise <see cref="DeviceWriteOutcome.Written"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null, or the store holds the device and <paramref name="storedName"/> is null.</exception>
    /// <exception cref="ArgumentException">The write renames its device (parameter <c>writes</c>): a batch does not rename, and the store refuses the whole batch.</exception>
    public static DeviceWriteOutcome Decide(Device device, long? storedVersion, string? storedName)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (storedVersion is not { } version)
        {
            return DeviceWriteOutcome.NotFound;
        }

        ArgumentNullException.ThrowIfNull(storedName);
        if (version != device.Version - 1)
        {
            return DeviceWriteOutcome.Conflict;
        }

        if (!string.Equals(storedName, device.Name, StringComparison.Ordinal))
        {
            // The error is the store's: it names the argument of UpdateManyAsync that holds the write.
#pragma warning disable CA2208
            throw new ArgumentException($"A batch does not rename devices; device {device.Id} would be renamed.", "writes");
#pragma warning restore CA2208
        }

        return DeviceWriteOutcome.Written;
    }
}
