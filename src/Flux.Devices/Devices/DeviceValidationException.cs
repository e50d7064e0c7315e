namespace Flux.Devices;

/// <summary>
/// Input was refused. Every failing field is reported at once in <see cref="Errors"/>; nothing was stored.
/// </summary>
public class DeviceValidationException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceValidationException"/> class.</summary>
    /// <param name="errors">The failed rules; at least one.</param>
    public DeviceValidationException(IReadOnlyList<DeviceValidationError> errors)
        : this(errors, innerException: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceValidationException"/> class for one field.</summary>
    /// <param name="field">The field that failed.</param>
    /// <param name="message">Why it failed.</param>
    public DeviceValidationException(string field, string message)
        : this([new DeviceValidationError { Field = field, Message = message }], innerException: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceValidationException"/> class.</summary>
    /// <param name="errors">The failed rules; at least one.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public DeviceValidationException(IReadOnlyList<DeviceValidationError> errors, Exception? innerException)
        : base(FormatMessage(errors), innerException)
    {
        Errors = errors;
    }

    /// <summary>Gets every failed rule, in the order the fields were checked.</summary>
    public IReadOnlyList<DeviceValidationError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<DeviceValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count, nameof(errors));
        return errors.Count == 1
            ? $"Invalid {errors[0].Field}: {errors[0].Message}"
            : $"{errors.Count} fields are invalid: " + string.Join("; ", errors);
    }
}
