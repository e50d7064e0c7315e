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
