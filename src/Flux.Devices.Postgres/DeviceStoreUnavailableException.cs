namespace Flux.Devices.Postgres;

/// <summary>The store could not reach PostgreSQL, or lost it, after its retries. Trying again later may succeed.</summary>
public sealed class DeviceStoreUnavailableException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceStoreUnavailableException"/> class.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The error PostgreSQL or Npgsql reported.</param>
    public DeviceStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
