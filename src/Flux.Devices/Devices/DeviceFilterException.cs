namespace Flux.Devices;

/// <summary>Filter text could not be parsed; <see cref="Position"/> says where.</summary>
public sealed class DeviceFilterException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceFilterException"/> class.</summary>
    /// <param name="text">The filter text.</param>
    /// <param name="position">The zero-based index in <paramref name="text"/> where the problem is.</param>
    /// <param name="reason">What is wrong there.</param>
    public DeviceFilterException(string text, int position, string reason)
        : base($"Invalid filter \"{text}\" at column {position + 1}: {reason}")
    {
        Text = text;
        Position = position;
        Reason = reason;
    }

    /// <summary>Gets the filter text.</summary>
    public string Text { get; }

    /// <summary>Gets the zero-based index in <see cref="Text"/> where the problem is; the message gives it as a one-based column.</summary>
    public int Position { get; }

    /// <summary>Gets what is wrong.</summary>
    public string Reason { get; }
}
