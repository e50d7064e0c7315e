namespace Flux.Devices;

/// <summary>One failed rule: the field it concerns and why it failed.</summary>
public sealed record DeviceValidationError
{
    /// <summary>
    /// Gets the field, as it is named in the spec's JSON: <c>name</c>, <c>site</c>, <c>type</c>, or
    /// <c>metadata.capacity_kwh</c> for a metadata key.
    /// </summary>
    public required string Field { get; init; }

    /// <summary>Gets why the value was refused, in words an operator can act on.</summary>
    public required string Message { get; init; }

    /// <summary>Returns <c>field: message</c>.</summary>
    /// <returns>The field and the reason.</returns>
    public override string ToString() => $"{Field}: {Message}";
}
