using System.CommandLine;
using Flux.Devices.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// The <c>flux</c> command line. Exit codes: 0 done; 1 failed (an unknown device, a refused change, an unreachable
/// store); 2 bad usage (unknown command or option, a malformed filter); 3 a dry run that would change something.
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
        var cli = new Cli(console);
        var root = BuildRoot(cli);

        // No response files: "@file" is a value here (--metadata @bess.json), not a file of arguments.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await console.Error.WriteLineAsync($"flux: {problem.Message}");
            }

            return Usage;
        }

        // The caller owns the signals (Program installs them before anything else): no handler of the parser's own,
        // which would come later and end the process two seconds after a Ctrl+C, clean-up or not.
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Output, Error = console.Error, ProcessTerminationTimeout = null }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("flux: cancelled");
            return Cancelled;
        }
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
        root.Subcommands.Add(RegisterCommands.Build(cli));
        root.Subcommands.Add(SimulateCommand.Build(cli));
        return root;
    }

    /// <summary>Finds a device by name or id.</summary>
    /// <exception cref="DeviceNotFoundException">There is none.</exception>
    public static async Task<Device> FindAsync(this OpenRegistry registry, string nameOrId, CancellationToken cancellationToken) =>
        (Guid.TryParse(nameOrId, out var id) ? await registry.Registry.GetAsync(id, cancellationToken) : await registry.Registry.GetByNameAsync(nameOrId, cancellationToken))
        ?? throw new DeviceNotFoundException(nameOrId);

    /// <summary>Notifications as status lines on stderr: <c>[notify Warning] ...</c>.</summary>
    internal sealed class StatusNotifier(TextWriter error) : INotifier
    {
        public async ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default) =>
            await error.WriteLineAsync($"[notify {notification.Severity}] {notification.Message}");
    }
}

/// <summary>Bad usage that the parser cannot see (a value out of range, a malformed <c>--set</c>): exit code 2.</summary>
/// <param name="message">What is wrong, naming the option.</param>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A registry opened for one command; disposing it releases the SQLite file.</summary>
/// <param name="services">The container.</param>
internal sealed class OpenRegistry(ServiceProvider services) : IAsyncDisposable
{
    public ServiceProvider Services { get; } = services;

    public IDeviceRegistry Registry => Services.GetRequiredService<IDeviceRegistry>();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        if (Services.GetRequiredService<Storage.IDeviceStore>() is Sqlite.SqliteDeviceStore sqlite)
        {
            sqlite.ReleaseFile();
        }

        await Services.DisposeAsync();
    }
}
