using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// One run of the command line: its console and its global options (made per run, so that parsers never share state),
/// and what every command does with them: print in the chosen form, open the store, turn errors into exit codes.
/// </summary>
/// <param name="console">Where to write, and the environment.</param>
internal sealed class Cli(CliConsole console)
{
    public CliConsole Console { get; } = console;

    /// <summary>Gets <c>--store</c>. It has no default in the parser: help prints defaults, and the store may be a
    /// connection string with a password (from <c>$FLUX_STORE</c>).</summary>
    public Option<string?> Store { get; } = new("--store")
    {
        Description = $"The registry: a SQLite file or a PostgreSQL connection string (Host=...). Else ${FluxCli.StoreVariable}, else flux.db.",
        Recursive = true,
    };

    public ChoiceOption<OutputFormat> Output { get; } = CreateOutputOption();

    /// <summary>
    /// Gets the devices and groups this run found by what the user typed (a name, or an id): the library names a device by
    /// its id in its errors, and the user is told of it by the name they gave.
    /// </summary>
    public Dictionary<Guid, string> Typed { get; } = [];

    /// <summary>Gets the output of a parsed command line in its chosen form.</summary>
    public CliOutput OutputFor(ParseResult result) => new(Console, Output.ValueIn(result));

    /// <summary>
    /// Runs a command, turning errors into one line on stderr and an exit code: bad usage 2 (the parser cannot see
    /// every rule: a malformed filter, an out-of-range value), the library's typed errors and I/O 1, Ctrl+C 130.
    /// </summary>
    public async Task<int> GuardAsync(Func<Task<int>> run, CancellationToken cancellationToken)
    {
        try
        {
            return await run();
        }
        catch (Exception ex) when (ex is DeviceFilterException or UsageException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"flux: {Describe(ex)}");
            return FluxCli.Usage;
        }
        catch (Exception ex) when (ex is FluxDevicesException or Npgsql.NpgsqlException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"flux: {Describe(ex)}");
            return FluxCli.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("flux: cancelled");
            return FluxCli.Cancelled;
        }
    }

    /// <summary>
    /// The registry on the store the command line names (<c>--store</c>, else <c>$FLUX_STORE</c>, else <c>flux.db</c>):
    /// a PostgreSQL connection string (it has a <c>=</c>), else a SQLite file. The Modbus transport is registered, and
    /// notifications (maintenance, failures) are printed on stderr.
    /// </summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="cancellationToken">Cancels opening (the PostgreSQL schema check).</param>
    /// <param name="configure">Adds to the registry's services (an observer).</param>
    /// <param name="tls">The client's Modbus/TCP Security settings, when the command was given them.</param>
    /// <param name="notifier">Where notifications go; by default, status lines on stderr (<see cref="FluxCli.StatusNotifier"/>).</param>
    /// <param name="create">
    /// Whether the command writes new data, and so may make a SQLite file that does not exist yet. Other commands refuse
    /// a missing file: a mistyped <c>--store</c> would otherwise read as an empty registry and leave a file behind.
    /// </param>
    /// <exception cref="FileNotFoundException">A read or change on a SQLite file that does not exist.</exception>
    public async Task<OpenRegistry> OpenAsync(ParseResult result, CancellationToken cancellationToken, Action<IFluxDevicesBuilder>? configure = null, bool create = false, Modbus.ModbusTlsOptions? tls = null, Notifications.INotifier? notifier = null)
    {
        var store = StoreOf(result);
        var services = new ServiceCollection();
        var builder = services.AddFluxDevices().UseModbusTcp(o => o.Tls = tls).AddNotifier(notifier ?? new FluxCli.StatusNotifier(Console.Error));
        var postgres = IsPostgres(store);
        if (postgres)
        {
            CheckConnectionString(store);
            builder.UsePostgres(store);
        }
        else if (!create && !File.Exists(store))
        {
            throw new FileNotFoundException($"No registry at {Path.GetFullPath(store)}: give --store (or ${FluxCli.StoreVariable}), or create it with `flux devices register` or `flux devices scan --register`.", store);
        }
        else
        {
            var full = Path.GetFullPath(store);
            if (Directory.Exists(full))
            {
                throw new UsageException($"--store {store}: is a folder; give a SQLite file (such as {Path.Combine(store, "flux.db")}).");
            }

            if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"--store {store}: no folder {folder} to make the registry in.");
            }

            builder.UseSqlite(store);
        }

        configure?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        try
        {
            if (postgres)
            {
                await provider.GetRequiredService<Storage.IDeviceStoreSchema>().MigrateAsync(cancellationToken);
            }

            return new OpenRegistry(provider, Typed);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Refuses a PostgreSQL connection string that Npgsql cannot read, naming the keyword (and the value, unless it may be
    /// a secret) instead of Npgsql's own text ("Couldn't set port (Parameter 'port')").
    /// </summary>
    /// <exception cref="UsageException">It cannot be read.</exception>
    private static void CheckConnectionString(string store)
    {
        var pairs = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            pairs.ConnectionString = store;
        }
        catch (ArgumentException ex)
        {
            throw new UsageException("--store: not a PostgreSQL connection string (Host=...;Username=...): it is not KEY=VALUE pairs separated by ';'.", ex);
        }

        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder();
        foreach (string key in pairs.Keys)
        {
            var value = pairs[key];
            try
            {
                npgsql[key] = value;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException)
            {
                var secret = key.Contains("pass", StringComparison.OrdinalIgnoreCase) || key.Contains("key", StringComparison.OrdinalIgnoreCase);
                throw new UsageException(
                    npgsql.ContainsKey(key)
                        ? $"--store: {(secret ? key : $"{key}={value}")} is not a valid value for {key} in a PostgreSQL connection string."
                        : $"--store: '{key}' is not a PostgreSQL connection string keyword.",
                    ex);
            }
        }
    }

    /// <summary>An error as the one line the user reads: devices named as typed, no line breaks (the SQLite store's errors name its file).</summary>
    private string Describe(Exception ex)
    {
        // The server's own line, without the DETAIL lines Npgsql appends to the message.
        var message = ex is Npgsql.PostgresException postgres ? $"PostgreSQL {postgres.SqlState}: {postgres.MessageText}" : ex.Message;
        foreach (var (id, typed) in Typed)
        {
            message = message.Replace(id.ToString(), typed, StringComparison.OrdinalIgnoreCase);
        }

        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>
    /// The SQLite file the command line names, when it does not exist yet: a command that creates data makes it, and
    /// removes it again (<see cref="DeleteSqliteFile"/>) when it stops before writing anything. <see langword="null"/>
    /// for PostgreSQL or a file that exists.
    /// </summary>
    public string? NewSqliteFile(ParseResult result)
    {
        var store = StoreOf(result);
        return IsPostgres(store) || File.Exists(store) ? null : Path.GetFullPath(store);
    }

    /// <summary>Deletes a SQLite file and its journals (released first: <see cref="OpenRegistry.DisposeAsync"/>).</summary>
    public static void DeleteSqliteFile(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            File.Delete(file);
        }
    }

    /// <summary>The store the command line names, for a log: PostgreSQL's host and database (never the password), or the SQLite file.</summary>
    public string DescribeStore(ParseResult result)
    {
        var store = StoreOf(result);
        if (!IsPostgres(store))
        {
            return $"SQLite {Path.GetFullPath(store)}";
        }

        var pairs = new Npgsql.NpgsqlConnectionStringBuilder(store);
        return $"PostgreSQL {pairs.Host}:{pairs.Port}/{pairs.Database ?? pairs.Username}";
    }

    private string StoreOf(ParseResult result)
    {
        var store = result.GetValue(Store) ?? Console.Variable(FluxCli.StoreVariable);
        return string.IsNullOrWhiteSpace(store) ? "flux.db" : store;
    }

    /// <summary>Whether the command line names a PostgreSQL store (a connection string), not a SQLite file.</summary>
    public bool IsPostgresStore(ParseResult result) => IsPostgres(StoreOf(result));

    private static bool IsPostgres(string store) => store.Contains('=', StringComparison.Ordinal) && !File.Exists(store);

    private static ChoiceOption<OutputFormat> CreateOutputOption()
    {
        var option = CliOptions.Enum("--output", "How to print results: a table (drawn on a terminal, plain columns in a pipe), json (JSON Lines for streams) or csv.", OutputFormat.Table);
        option.Aliases.Add("-o");
        option.Aliases.Add("--format");
        option.Recursive = true;
        return option;
    }
}
