namespace Flux.Devices;

/// <summary>One failed rule: the field it concerns and why it failed.</summary>
public sealed record DeviceValidationError
{
    /// <summary>Initializes a new instance of the <see cref="DeviceValidationError"/> record.</summary>
    /// <param name="field">The field, as it is named in the spec's JSON: <c>name</c>, <c>site</c>, <c>type</c>, or <c>metadata.capacity_kwh</c> for a metadata key.</param>
    /// <param name="message">Why the value was refused, in words an operator can act on.</param>
    public DeviceValidationError(string field, string message)
    {
        Field = field;
        Message = message;
    }

    /// <summary>Gets the field, as it is named in the spec's JSON: <c>name</c>, <c>site</c>, <c>type</c>, or <c>metadata.capacity_kwh</c> for a metadata key.</summary>
    public string Field { get; init; }

    /// <summary>Gets why the value was refused, in words an operator can act on.</summary>
    public string Message { get; init; }

    /// <summary>Returns <c>field: message</c>.</summary>
    /// <returns>The field and the reason.</returns>
    public override string ToString() => $"{Field}: {Message}";
}
