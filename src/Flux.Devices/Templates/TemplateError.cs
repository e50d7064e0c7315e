namespace Flux.Devices.Templates;

/// <summary>One problem in a template or register map file, where it is and what is wrong.</summary>
/// <param name="Line">The line, from 1.</param>
/// <param name="Column">The column, from 1.</param>
/// <param name="Path">The key path (<c>device_template.registers.soe</c>); empty for the document itself.</param>
/// <param name="Message">What is wrong.</param>
public sealed record TemplateError(int Line, int Column, string Path, string Message)
{
    /// <summary>Returns <c>line:column: path: message</c>.</summary>
    /// <returns>The error as text.</returns>
    public override string ToString() => Path.Length == 0 ? $"{Line}:{Column}: {Message}" : $"{Line}:{Column}: {Path}: {Message}";
}
