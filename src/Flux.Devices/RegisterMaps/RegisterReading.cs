namespace Flux.Devices.RegisterMaps;

/// <summary>A point's value as read: scaled, with its unit, or missing when the device reported "not available".</summary>
public sealed record RegisterReading
{
    /// <summary>Gets the point.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the scaled number; <see langword="null"/> for text, or when not available.</summary>
    public required double? Value { get; init; }

    /// <summary>Gets the text of a string point; <see langword="null"/> otherwise, or when not available.</summary>
    public required string? Text { get; init; }

    /// <summary>Gets the unit of <see cref="Value"/>.</summary>
    public required string? Unit { get; init; }

    /// <summary>Gets a value indicating whether the device reported a value.</summary>
    public bool IsAvailable => Value is not null || Text is not null;
}
