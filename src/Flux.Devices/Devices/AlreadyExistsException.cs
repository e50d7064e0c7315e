namespace Flux.Devices;

/// <summary>
/// A device or group could not be created or renamed because another one already holds the same unique key
/// (its id or its name). Nothing was stored.
/// </summary>
public sealed class AlreadyExistsException : DeviceValidationException
{
    /// <summary>Initializes a new instance of the <see cref="AlreadyExistsException"/> class.</summary>
    /// <param name="field">The unique field: <c>id</c> or <c>name</c>.</param>
    /// <param name="value">The value that is already taken.</param>
    /// <param name="innerException">The store's own error, if any.</param>
    public AlreadyExistsException(string field, string value, Exception? innerException = null)
        : base([new DeviceValidationError { Field = field, Message = $"'{value}' is already taken" }], innerException)
    {
        Field = field;
        Value = value;
    }

    /// <summary>Gets the unique field: <c>id</c> or <c>name</c>.</summary>
    public string Field { get; }

    /// <summary>Gets the value that is already taken.</summary>
    public string Value { get; }
}
