namespace Flux.Devices;

/// <summary>
/// An optimistic-concurrency conflict: the device changed since the caller read it, so the write was refused
/// and nothing was overwritten. Read the device again, re-apply the change to what is there now, and retry.
/// </summary>
public sealed class DeviceConcurrencyException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceConcurrencyException"/> class.</summary>
    /// <param name="deviceId">The device whose write was refused.</param>
    /// <param name="expectedVersion">The version the caller based its change on.</param>
    /// <param name="actualVersion">The version the store holds, when known.</param>
    /// <param name="innerException">The store's own error, if any.</param>
    public DeviceConcurrencyException(Guid deviceId, long expectedVersion, long? actualVersion, Exception? innerException = null)
        : base(FormatMessage(deviceId, expectedVersion, actualVersion), innerException)
    {
        DeviceId = deviceId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Gets the device whose write was refused.</summary>
    public Guid DeviceId { get; }

    /// <summary>Gets the version the caller based its change on.</summary>
    public long ExpectedVersion { get; }

    /// <summary>Gets the version the store holds, when the store could tell.</summary>
    public long? ActualVersion { get; }

    private static string FormatMessage(Guid deviceId, long expected, long? actual) =>
        actual is { } a
            ? $"Device {deviceId} was changed by someone else: expected version {expected}, found version {a}. Read it again and retry."
            : $"Device {deviceId} was changed by someone else: expected version {expected}. Read it again and retry.";
}
