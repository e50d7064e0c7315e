namespace Flux.Devices.Storage;

/// <summary>
/// A store could not reach its database, or lost it, or its database could not do the work (busy past the store's
/// retries, an I/O error, a full disk, a file that cannot be opened). Every first-party store throws this type, with the
/// provider's error as the inner exception, so that callers need not know which store is plugged in.
/// </summary>
/// <remarks>
/// <see cref="IsTransient"/> tells whether trying again later may succeed (a server restarting, a file locked by another
/// writer, a full disk); it is <see langword="false"/> when the database itself is unusable as it is (a file that is not a
/// database, or is corrupt, or is read-only).
/// </remarks>
public sealed class DeviceStoreUnavailableException : FluxDevicesException
{
    private readonly bool _transient;

    /// <summary>Initializes a new instance of the <see cref="DeviceStoreUnavailableException"/> class: a transient failure.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The error the database or its client reported.</param>
    public DeviceStoreUnavailableException(string message, Exception innerException)
        : this(message, innerException, isTransient: true)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceStoreUnavailableException"/> class.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The error the database or its client reported.</param>
    /// <param name="isTransient">Whether trying again later may succeed.</param>
    public DeviceStoreUnavailableException(string message, Exception innerException, bool isTransient)
        : base(message, innerException)
    {
        _transient = isTransient;
    }

    /// <inheritdoc />
    public override bool IsTransient => _transient;
}
