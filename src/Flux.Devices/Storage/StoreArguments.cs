using Flux.Devices.Lifecycle;

namespace Flux.Devices.Storage;

/// <summary>The argument checks every store makes before it writes (shared by the first-party stores).</summary>
internal static class StoreArguments
{
    public static void CheckAdd(Device device, DeviceHistoryEntry entry)
    {
        CheckWrite(device, entry);
        if (device.Version != 1)
        {
            throw new ArgumentException($"A new device starts at version 1, not {device.Version}.", nameof(device));
        }
    }

    public static void CheckUpdate(Device device, DeviceHistoryEntry entry)
    {
        CheckWrite(device, entry);
        if (device.Version < 2)
        {
            throw new ArgumentException($"An updated device is at version 2 or later, not {device.Version}.", nameof(device));
        }
    }

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

    /// <summary>The error for a batch write that renames its device.</summary>
    /// <summary>Checks a bulk addition, refusing an id or a name that appears twice in it.</summary>
    /// <exception cref="AlreadyExistsException">An id or a name appears twice.</exception>
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

    public static ArgumentException BatchRename(Guid deviceId, string parameterName) =>
        new($"A batch does not rename devices; device {deviceId} would be renamed.", parameterName);

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
