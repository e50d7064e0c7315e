namespace Flux.Devices.Cli.Tests;

/// <summary>Runs the command line through its entry point, capturing what it writes.</summary>
internal static class FluxProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await FluxCli.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs a command on a console, capturing what it writes.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(Func<TextWriter, TextWriter, CliConsole> console, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await FluxCli.RunAsync(args, console(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Starts a command that runs until stopped (<c>simulate</c>, <c>health --watch</c>).</summary>
    public static RunningCommand Start(params string[] args) => new(args);
}
