namespace Flux.Devices.Discovery;

/// <summary>A host list could not be read, or names hosts a scan must not contact; <see cref="Position"/> says which item.</summary>
public sealed class HostSetException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="HostSetException"/> class.</summary>
    /// <param name="text">The host list text.</param>
    /// <param name="position">The zero-based index in <paramref name="text"/> of the offending item.</param>
    /// <param name="reason">What is wrong with it.</param>
    public HostSetException(string text, int position, string reason)
        : base($"Invalid hosts \"{text}\" at column {position + 1}: {reason}")
    {
        Text = text;
        Position = position;
        Reason = reason;
    }

    /// <summary>Gets the host list text.</summary>
    public string Text { get; }

    /// <summary>Gets the zero-based index in <see cref="Text"/> of the offending item; the message gives it as a one-based column.</summary>
    public int Position { get; }

    /// <summary>Gets what is wrong.</summary>
    public string Reason { get; }
}
