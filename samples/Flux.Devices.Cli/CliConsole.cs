using Spectre.Console;

namespace Flux.Devices.Cli;

/// <summary>
/// Where the command line writes, and what those places are: results to <see cref="Output"/>, progress and status to
/// <see cref="Error"/>. Tables are drawn (boxes, colour) only on a terminal; piped output is plain aligned text that
/// scripts can cut, and colour is off when <c>NO_COLOR</c> is set (https://no-color.org) or <c>TERM=dumb</c>.
/// </summary>
/// <param name="Output">Results.</param>
/// <param name="Error">Progress, status and errors.</param>
/// <param name="OutputIsTerminal">Whether <paramref name="Output"/> is a terminal (draw tables) rather than a pipe or file.</param>
/// <param name="ErrorIsTerminal">Whether <paramref name="Error"/> is a terminal (draw a progress bar).</param>
/// <param name="Color">Whether to colour what is drawn.</param>
internal sealed record CliConsole(TextWriter Output, TextWriter Error, bool OutputIsTerminal = false, bool ErrorIsTerminal = false, bool Color = false)
{
    /// <summary>Gets a console on plain writers: no terminal, no colour (tests, and output captured by a program).</summary>
    /// <param name="output">Results.</param>
    /// <param name="error">Progress, status and errors.</param>
    /// <returns>The console.</returns>
    public static CliConsole Plain(TextWriter output, TextWriter error) => new(output, error);

    /// <summary>Gets the process's console, with what its streams are and what the environment asks for.</summary>
    /// <param name="variable">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <returns>The console.</returns>
    /// <remarks>
    /// <c>TERM=dumb</c> is a terminal that cannot move its cursor or draw: output there is as in a pipe (plain columns,
    /// progress as lines, no escape codes at all).
    /// </remarks>
    public static CliConsole FromProcess(Func<string, string?> variable)
    {
        var dumb = string.Equals(variable("TERM"), "dumb", StringComparison.Ordinal);
        return new(
            Console.Out,
            Console.Error,
            OutputIsTerminal: !Console.IsOutputRedirected && !dumb,
            ErrorIsTerminal: !Console.IsErrorRedirected && !dumb,
            Color: string.IsNullOrEmpty(variable("NO_COLOR")) && !dumb)
        {
            Variable = variable,
        };
    }

    /// <summary>Gets the environment the command line reads (<c>FLUX_STORE</c>); none for <see cref="Plain"/> consoles.</summary>
    public Func<string, string?> Variable { get; init; } = static _ => null;

    /// <summary>Creates a Spectre.Console console drawing on <paramref name="writer"/>, honouring <see cref="Color"/>.</summary>
    /// <param name="writer"><see cref="Output"/> or <see cref="Error"/>.</param>
    /// <param name="interactive">Whether the console may redraw itself (a progress bar).</param>
    /// <returns>The console.</returns>
    public IAnsiConsole Draw(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Yes,
            ColorSystem = Color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (writer != System.Console.Out && writer != System.Console.Error)
        {
            // Not the process's console, so no window to measure: draw as on a wide terminal.
            console.Profile.Width = 160;
        }

        return console;
    }
}
