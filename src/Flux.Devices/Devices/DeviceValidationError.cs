namespace Flux.Devices;

/// <summary>One failed rule: the field it concerns and why it failed.</summary>
/// <param name="Field">
/// The field, as it is named in the spec's JSON: <c>name</c>, <c>site</c>, <c>type</c>, or
/// <c>metadata.capacity_kwh</c> for a metadata key.
/// </param>
/// <param name="Message">Why the value was refused, in words an operator can act on.</param>
public sealed record DeviceValidationError(string Field, string Message)
{
    /// <summary>Returns <c>field: message</c>.</summary>
    /// <returns>The field and the reason.</returns>
    public override string ToString() => $"{Field}: {Message}";
}
