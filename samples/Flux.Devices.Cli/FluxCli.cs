using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Flux.Devices.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// The <c>flux</c> command line. Exit codes: 0 done; 1 failed (an unknown device, a refused change, an unreachable
/// store); 2 bad usage (no command, an unknown command or option, a malformed filter or value); 3 a dry run that would
/// change something. Every error is one line on stderr, naming the option or the device as the user typed it.
/// </summary>
internal static class FluxCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int DryRunHasChanges = 3;

    /// <summary>Exit code for a command stopped by Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Cancelled = 130;

    public const string StoreVariable = "FLUX_STORE";

    /// <summary>Parses and runs a command line on plain writers (no terminal, no colour).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, CliConsole.Plain(output, error), cancellationToken);

    /// <summary>Parses and runs a command line on a console.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        if (NotUtf8(args) is { } garbled)
        {
            await console.Error.WriteLineAsync($"flux: {garbled}");
            return Usage;
        }

        var cli = new Cli(console);
        var root = BuildRoot(cli);

        // No response files: "@file" is a value here (--metadata @bess.json), not a file of arguments.
        var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
        // The caller owns the signals (Program installs them before anything else): no handler of the parser's own,
        // which would come later and end the process two seconds after a Ctrl+C, clean-up or not.
        var invocation = new InvocationConfiguration { Output = console.Output, Error = console.Error, ProcessTerminationTimeout = null };
        var parsed = root.Parse(args, parser);
        if (parsed.Errors.Count == 0)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                return await parsed.InvokeAsync(invocation, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await console.Error.WriteLineAsync("flux: cancelled");
                return Cancelled;
            }
        }

        var command = parsed.CommandResult.Command;
        if (parsed.Errors.Count == 1 && parsed.UnmatchedTokens.Count == 0 && command.Action is null && command.Subcommands.Count > 0)
        {
            // `flux` or `flux devices` alone: no command was given, so show the ones there are. Still bad usage (2): a
            // script that ran `flux` with an empty variable for its command must not read this as success.
            await root.Parse([.. args, "--help"], parser).InvokeAsync(invocation, cancellationToken);
            return Usage;
        }

        await console.Error.WriteLineAsync($"flux: {Describe(parsed)}");
        return Usage;
    }

    /// <summary>
    /// Finds an argument that was not UTF-8. The runtime decodes the process's arguments with U+FFFD in place of bytes
    /// that are not UTF-8, so a Latin-1 "é" typed in a terminal would be stored as U+FFFD; such an argument is refused
    /// instead. (Text that means U+FFFD can say so as JSON does, <c>\ufffd</c>.)
    /// </summary>
    /// <returns>The error, naming the option the argument is for; <see langword="null"/> when every argument is text.</returns>
    private static string? NotUtf8(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var at = args[i].IndexOf('\uFFFD', StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var equals = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i].IndexOf('=', StringComparison.Ordinal) : -1;
            var (option, offset) = equals > 0 && at > equals
                ? (args[i][..equals], at - equals - 1)
                : i > 0 && args[i - 1].StartsWith("--", StringComparison.Ordinal) && !args[i].StartsWith('-') ? (args[i - 1], at) : ($"argument {i + 1}", at);
            return string.Create(CultureInfo.InvariantCulture, $"{option}: the text is not UTF-8 (a byte that is not became U+FFFD at character {offset + 1}); give it as UTF-8.");
        }

        return null;
    }

    /// <summary>
    /// The parse errors as one line. A value that the command line's own parsers refused says the most (they name the
    /// option); then an unknown word, which makes the parser also report what it then misses ("Required command was not
    /// provided" for <c>flux device list</c>, and every later word): only the first unknown word is told.
    /// </summary>
    private static string Describe(ParseResult parsed)
    {
        var refused = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("--", StringComparison.Ordinal) || e.Message.StartsWith("Argument '", StringComparison.Ordinal));
        if (refused is not null)
        {
            return refused.Message;
        }

        var unknown = parsed.UnmatchedTokens.Count > 0 ? parsed.UnmatchedTokens[0] : null;
        if (unknown is not null)
        {
            var names = new List<string>();
            for (var result = parsed.CommandResult; result is not null; result = result.Parent as CommandResult)
            {
                names.Insert(0, result.Command is RootCommand ? "flux" : result.Command.Name);
            }

            return $"Unrecognized command or argument '{unknown}'; see {string.Join(' ', names)} --help.";
        }

        return string.Join(' ', parsed.Errors.Select(e => e.Message.Trim()).Distinct());
    }

    private static RootCommand BuildRoot(Cli cli)
    {
        var root = new RootCommand("flux: the microgrid device registry (Flux.Devices).");
        root.Options.Add(cli.Store);
        root.Options.Add(cli.Output);

        var demo = new Command("demo", "Simulate a site on 127.0.0.x, scan and register it, apply the spec's template, poll until Active (on a temporary store of its own).");
        demo.SetAction((_, token) => cli.GuardAsync(() => Demo.RunAsync(cli.Console, token), token));
        root.Subcommands.Add(demo);

        root.Subcommands.Add(DeviceCommands.Build(cli));
        root.Subcommands.Add(GroupCommands.Build(cli));
        root.Subcommands.Add(MonitorCommand.Build(cli));
        root.Subcommands.Add(RegisterCommands.Build(cli));
        root.Subcommands.Add(SimulateCommand.Build(cli));
        root.Subcommands.Add(TelemetryCommands.BuildRetention(cli));
        return root;
    }

    /// <summary>Finds a device by name or id.</summary>
    /// <exception cref="DeviceNotFoundException">There is none.</exception>
    /// <remarks>The device is remembered with what the user typed, so that errors name it that way (<see cref="Cli.Typed"/>).</remarks>
    public static async Task<Device> FindAsync(this OpenRegistry registry, string nameOrId, CancellationToken cancellationToken)
    {
        var device = (Guid.TryParse(nameOrId, out var id) ? await registry.Registry.GetAsync(id, cancellationToken) : await registry.Registry.GetByNameAsync(nameOrId, cancellationToken))
            ?? throw new DeviceNotFoundException(nameOrId);
        registry.Typed[device.Id] = nameOrId;
        return device;
    }

    /// <summary>Notifications as status lines on stderr: <c>[notify Warning] ...</c>.</summary>
    internal sealed class StatusNotifier(TextWriter error) : INotifier
    {
        public async ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default) =>
            await error.WriteLineAsync($"[notify {notification.Severity}] {notification.Message}");
    }
}

/// <summary>Bad usage that the parser cannot see (a value out of range, a malformed <c>--set</c>): exit code 2.</summary>
/// <param name="message">What is wrong, naming the option.</param>
/// <param name="innerException">The error that revealed it, if any.</param>
internal sealed class UsageException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>A registry opened for one command; disposing it releases the SQLite file.</summary>
/// <param name="services">The container.</param>
/// <param name="typed">What the user typed for each device and group found (<see cref="Cli.Typed"/>).</param>
internal sealed class OpenRegistry(ServiceProvider services, Dictionary<Guid, string> typed) : IAsyncDisposable
{
    public ServiceProvider Services { get; } = services;

    public Dictionary<Guid, string> Typed { get; } = typed;

    public IDeviceRegistry Registry => Services.GetRequiredService<IDeviceRegistry>();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => Services.DisposeAsync(); // the SQLite store, disposed with it, releases its file
}
