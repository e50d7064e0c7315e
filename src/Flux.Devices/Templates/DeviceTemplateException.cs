namespace Flux.Devices.Templates;

/// <summary>
/// A template or register map file was refused: it is not valid YAML, breaks a limit (size, nesting, anchors, tags),
/// or breaks a rule of the format. Every problem found is in <see cref="Errors"/>, each with its line and column.
/// </summary>
public sealed class DeviceTemplateException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceTemplateException"/> class.</summary>
    /// <param name="fileName">The file (or source name) the text came from, if any.</param>
    /// <param name="errors">The problems; at least one.</param>
    /// <param name="innerException">The parser's own error, if any.</param>
    public DeviceTemplateException(string? fileName, IReadOnlyList<TemplateError> errors, Exception? innerException = null)
        : base(FormatMessage(fileName, errors), innerException)
    {
        FileName = fileName;
        Errors = errors;
    }

    /// <summary>Gets the file (or source name) the text came from, if any.</summary>
    public string? FileName { get; }

    /// <summary>Gets every problem found, in document order.</summary>
    public IReadOnlyList<TemplateError> Errors { get; }

    /// <summary>Gets the line of the first problem.</summary>
    public int Line => Errors[0].Line;

    /// <summary>Gets the column of the first problem.</summary>
    public int Column => Errors[0].Column;

    private static string FormatMessage(string? fileName, IReadOnlyList<TemplateError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count, nameof(errors));
        var where = fileName ?? "template";
        return errors.Count == 1
            ? $"{where}({errors[0].Line},{errors[0].Column}): {Describe(errors[0])}"
            : $"{where} has {errors.Count} problems: " + string.Join("; ", errors.Select(e => $"({e.Line},{e.Column}) {Describe(e)}"));
    }

    private static string Describe(TemplateError error) => error.Path.Length == 0 ? error.Message : $"{error.Path}: {error.Message}";
}
