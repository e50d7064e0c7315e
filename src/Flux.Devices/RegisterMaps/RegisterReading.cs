namespace Flux.Devices.RegisterMaps;

/// <summary>A point's value as read: scaled, with its unit, or missing when the device reported "not available".</summary>
/// <param name="Name">The point.</param>
/// <param name="Value">The scaled number; <see langword="null"/> for text, or when not available.</param>
/// <param name="Text">The text of a string point; <see langword="null"/> otherwise, or when not available.</param>
/// <param name="Unit">The unit of <paramref name="Value"/>.</param>
public sealed record RegisterReading(string Name, double? Value, string? Text, string? Unit)
{
    /// <summary>Gets a value indicating whether the device reported a value.</summary>
    public bool IsAvailable => Value is not null || Text is not null;
}
