namespace Flux.Devices.Templates;

/// <summary>One problem in a template or register map file, where it is and what is wrong.</summary>
public sealed record TemplateError
{
    /// <summary>Gets the line, from 1.</summary>
    public required int Line { get; init; }

    /// <summary>Gets the column, from 1.</summary>
    public required int Column { get; init; }

    /// <summary>Gets the key path (<c>device_template.registers.soe</c>); empty for the document itself.</summary>
    public required string Path { get; init; }

    /// <summary>Gets what is wrong.</summary>
    public required string Message { get; init; }

    /// <summary>Returns <c>line:column: path: message</c>.</summary>
    /// <returns>The error as text.</returns>
    public override string ToString() => Path.Length == 0 ? $"{Line}:{Column}: {Message}" : $"{Line}:{Column}: {Path}: {Message}";
}
