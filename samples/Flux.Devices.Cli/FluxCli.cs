using System.CommandLine;
using Flux.Devices.Notifications;
using Flux.Devices.Postgres;
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

    public const string StoreVariable = "FLUX_STORE";

    // No default value in the parser: help prints defaults, and $FLUX_STORE may hold a connection string's password.
    public static readonly Option<string?> StoreOption = new("--store")
    {
        Description = $"The registry: a SQLite file or a PostgreSQL connection string (Host=...). Else ${StoreVariable}, else flux.db.",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> OutputOption = CreateOutputOption();

    /// <summary>Parses and runs a command line on plain writers (no terminal, no colour).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(args, CliConsole.Plain(output, error), cancellationToken);

    /// <summary>Parses and runs a command line on a console.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        var root = BuildRoot(console);
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

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Output, Error = console.Error }, cancellationToken);
    }

    private static Option<OutputFormat> CreateOutputOption()
    {
        var option = CliOptions.Enum("--output", "How to print results: a table (drawn on a terminal, plain columns in a pipe), json (JSON Lines for streams) or csv.", OutputFormat.Table);
        option.Aliases.Add("-o");
        option.Recursive = true;
        return option;
    }

    private static RootCommand BuildRoot(CliConsole console)
    {
        var root = new RootCommand("flux: the microgrid device registry (Flux.Devices).");
        root.Options.Add(StoreOption);
        root.Options.Add(OutputOption);

        var demo = new Command("demo", "Simulate a site on 127.0.0.x, scan and register it, apply the spec's template, poll until Active.");
        demo.SetAction((_, token) => Demo.RunAsync(console, token));
        root.Subcommands.Add(demo);

        root.Subcommands.Add(DeviceCommands.Build(console));
        root.Subcommands.Add(GroupCommands.Build(console));
        root.Subcommands.Add(RegisterCommands.Build(console));
        root.Subcommands.Add(SimulateCommand.Build(console));
        return root;
    }

    /// <summary>Gets the output of a parsed command line in its chosen form.</summary>
    public static CliOutput OutputFor(this CliConsole console, ParseResult result) => new(console, result.GetValue(OutputOption));

    /// <summary>Runs a command, turning the library's typed errors into one line on stderr and an exit code.</summary>
    public static async Task<int> GuardAsync(CliConsole console, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception ex) when (ex is DeviceFilterException or UsageException)
        {
            await console.Error.WriteLineAsync($"flux: {ex.Message}");
            return Usage;
        }
        catch (Exception ex) when (ex is FluxDevicesException or Npgsql.NpgsqlException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or System.Net.Sockets.SocketException)
        {
            await console.Error.WriteLineAsync($"flux: {ex.Message}");
            return Failed;
        }
    }

    /// <summary>Finds a device by name or id.</summary>
    /// <exception cref="DeviceNotFoundException">There is none.</exception>
    public static async Task<Device> FindAsync(this OpenRegistry registry, string nameOrId, CancellationToken cancellationToken) =>
        (Guid.TryParse(nameOrId, out var id) ? await registry.Registry.GetAsync(id, cancellationToken) : await registry.Registry.GetByNameAsync(nameOrId, cancellationToken))
        ?? throw new DeviceNotFoundException(nameOrId);

    /// <summary>
    /// The registry on the store the command line names (a PostgreSQL connection string, else a SQLite file), with the
    /// Modbus transport, and notifications (maintenance, failures) printed on stderr.
    /// </summary>
    public static async Task<OpenRegistry> OpenAsync(CliConsole console, ParseResult result, CancellationToken cancellationToken, Action<IFluxDevicesBuilder>? configure = null)
    {
        var store = result.GetValue(StoreOption) is { Length: > 0 } given ? given
            : Environment.GetEnvironmentVariable(StoreVariable) is { Length: > 0 } variable ? variable
            : "flux.db";
        var services = new ServiceCollection();
        var builder = services.AddFluxDevices().UseModbusTcp().AddNotifier(new StatusNotifier(console.Error));
        var postgres = store.Contains('=', StringComparison.Ordinal);
        if (postgres)
        {
            builder.UsePostgres(store);
        }
        else
        {
            builder.UseSqlite(store);
        }

        configure?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        if (postgres)
        {
            try
            {
                await provider.GetRequiredService<PostgresDeviceStore>().MigrateAsync(cancellationToken);
            }
            catch
            {
                await provider.DisposeAsync();
                throw;
            }
        }

        return new OpenRegistry(provider);
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
