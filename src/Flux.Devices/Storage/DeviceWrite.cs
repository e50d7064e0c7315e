using Flux.Devices.Lifecycle;

namespace Flux.Devices.Storage;

/// <summary>One write of a batch: the new version of a device and the history entry that describes it.</summary>
/// <param name="Device">The new version; the store expects to hold <c>Device.Version - 1</c>.</param>
/// <param name="Entry">Its history entry, for the same device and version.</param>
public readonly record struct DeviceWrite(Device Device, DeviceHistoryEntry Entry);

/// <summary>What became of one write of a batch.</summary>
public enum DeviceWriteOutcome
{
    /// <summary>The write was committed.</summary>
    Written = 0,

    /// <summary>The device had changed since the write was based on it; nothing was written for it.</summary>
    Conflict = 1,

    /// <summary>No device has the id; nothing was written for it.</summary>
    NotFound = 2,
}
