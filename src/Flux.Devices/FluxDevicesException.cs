namespace Flux.Devices;

/// <summary>
/// The root of every exception that Flux.Devices throws for a reason of its own (bad input, a conflict,
/// an illegal lifecycle step, a device that does not answer). Argument misuse by the calling code still
/// surfaces as the standard <see cref="ArgumentException"/> family.
/// </summary>
public class FluxDevicesException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="FluxDevicesException"/> class.</summary>
    public FluxDevicesException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FluxDevicesException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public FluxDevicesException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FluxDevicesException"/> class with a message and the exception that caused it.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one, kept as it was.</param>
    public FluxDevicesException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Gets a value indicating whether repeating the same operation unchanged may succeed
    /// (a busy device, a lost connection, a database failover).
    /// </summary>
    /// <value><see langword="false"/> unless a derived type says otherwise.</value>
    /// <remarks>
    /// An optimistic-concurrency conflict is not transient in this sense: the caller must read the device
    /// again and decide, never replay the same write.
    /// </remarks>
    public virtual bool IsTransient => false;
}
