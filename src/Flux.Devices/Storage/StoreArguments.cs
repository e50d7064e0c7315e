using Flux.Devices.Lifecycle;

namespace Flux.Devices.Storage;

/// <summary>
/// The argument checks every store makes before it writes a device: a store calls the one for its method first, so
/// that every store refuses the same malformed arguments with the same errors, before anything is written.
/// </summary>
public static class StoreArguments
{
    /// <summary>Checks the arguments of <see cref="IDeviceRegistryStore.AddAsync"/>.</summary>
    /// <param name="device">The device: not null, with metadata, at version 1.</param>
    /// <param name="entry">Its history entry: not null, for the same device and version.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The device is not at version 1, or the entry is for another device or version.</exception>
    public static void CheckAdd(Device device, DeviceHistoryEntry entry)
    {
        CheckWrite(device, entry);
        if (device.Version != 1)
        {
            throw new ArgumentException($"A new device starts at version 1, not {device.Version}.", nameof(device));
        }
    }

    /// <summary>Checks the arguments of <see cref="IDeviceRegistryStore.UpdateAsync"/>.</summary>
    /// <param name="device">The new version of the device: not null, with metadata, at version 2 or later.</param>
    /// <param name="entry">Its history entry: not null, for the same device and version.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The device is below version 2, or the entry is for another device or version.</exception>
    public static void CheckUpdate(Device device, DeviceHistoryEntry entry)
    {
        CheckWrite(device, entry);
        if (device.Version < 2)
        {
            throw new ArgumentException($"An updated device is at version 2 or later, not {device.Version}.", nameof(device));
        }
    }

    /// <summary>Checks the arguments of <see cref="IDeviceRegistryStore.UpdateManyAsync"/>: each write as an update, at most one per device.</summary>
    /// <param name="writes">The writes.</param>
    /// <exception cref="ArgumentNullException">The list, a device or an entry is null.</exception>
    /// <exception cref="ArgumentException">A write is malformed, or two are for one device.</exception>
    public static void CheckBatch(IReadOnlyList<DeviceWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var write in writes)
        {
            CheckUpdate(write.Device, write.Entry);
        }

        if (writes.Select(w => w.Device.Id).Distinct().Count() != writes.Count)
        {
            throw new ArgumentException("A batch holds at most one write per device.", nameof(writes));
        }
    }

    /// <summary>
    /// Checks the arguments of <see cref="IDeviceRegistryStore.AddManyAsync"/>: each addition as by <see cref="CheckAdd"/>,
    /// refusing an id or a name that appears twice in the batch.
    /// </summary>
    /// <param name="additions">The additions.</param>
    /// <exception cref="ArgumentNullException">The list, a device or an entry is null.</exception>
    /// <exception cref="ArgumentException">An addition is malformed.</exception>
    /// <exception cref="AlreadyExistsException">An id or a name appears twice (field <c>id</c> or <c>name</c>).</exception>
    public static void CheckAddMany(IReadOnlyList<DeviceWrite> additions)
    {
        ArgumentNullException.ThrowIfNull(additions);
        var ids = new HashSet<Guid>(additions.Count);
        var names = new HashSet<string>(additions.Count, StringComparer.Ordinal);
        foreach (var (device, entry) in additions)
        {
            CheckAdd(device, entry);
            if (!ids.Add(device.Id))
            {
                throw new AlreadyExistsException("id", device.Id.ToString());
            }

            if (!names.Add(device.Name))
            {
                throw new AlreadyExistsException("name", device.Name);
            }
        }
    }

    private static void CheckWrite(Device device, DeviceHistoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(device.Metadata, nameof(device));
        if (entry.DeviceId != device.Id || entry.Version != device.Version)
        {
            throw new ArgumentException(
                $"The history entry is for device {entry.DeviceId} version {entry.Version}, not device {device.Id} version {device.Version}.",
                nameof(entry));
        }
    }
}
