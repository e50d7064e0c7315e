using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Flux.Devices.TestUtilities;

/// <summary>
/// The PostgreSQL server every test of this assembly talks to: the one <c>FLUX_TEST_POSTGRES</c> names (a connection
/// string), or else a throwaway cluster of the machine's PostgreSQL binaries, made in a temporary folder, run as the
/// <c>postgres</c> user when the tests run as root (the server refuses root), on a free loopback port, and removed at
/// the end. Without either, the tests fail when <c>CI=true</c> (a skipped suite is a hidden red) and skip otherwise.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string ConnectionVariable = "FLUX_TEST_POSTGRES";
    private static readonly string[] BinaryFolders = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"];

    private string? _binaries;
    private string? _dataDirectory;
    private int _port;
    private string? _unavailable;
    private readonly List<string> _installed = [];

    /// <summary>Gets the connection string of the server (to its <c>postgres</c> database).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Gets a value indicating whether the tests own the server and may stop and start it (crash tests).</summary>
    public bool IsThrowaway => _dataDirectory is not null;

    /// <summary>Initializes a new instance of the <see cref="PostgresServer"/> class: the configured server, else a throwaway one.</summary>
    public PostgresServer()
        : this(alwaysThrowaway: false)
    {
    }

    private PostgresServer(bool alwaysThrowaway) => AlwaysThrowaway = alwaysThrowaway;

    /// <summary>
    /// Returns a server that makes a throwaway cluster even when a server is configured (crash tests stop and start it).
    /// xunit takes an assembly fixture's one public constructor, so this one is a factory.
    /// </summary>
    /// <returns>The server, not started.</returns>
    public static PostgresServer Throwaway() => new(alwaysThrowaway: true);

    private bool AlwaysThrowaway { get; }

    public async ValueTask InitializeAsync()
    {
        if (!AlwaysThrowaway && Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } configured)
        {
            ConnectionString = configured;
            return;
        }

        _binaries = BinaryFolders.FirstOrDefault(folder => File.Exists(Path.Combine(folder, "pg_ctl")));
        if (_binaries is null)
        {
            _unavailable = $"No PostgreSQL server: set {ConnectionVariable} to a connection string, or install PostgreSQL's server binaries ({string.Join(", ", BinaryFolders)}).";
            return;
        }

        _dataDirectory = Path.Combine(Path.GetTempPath(), $"flux-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(_dataDirectory);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _dataDirectory]);
        }

        // An ICU English default collation, as most real databases have: a query that forgets COLLATE "C" sorts wrongly here.
        await RunServerToolAsync("initdb", ["-D", _dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US", "--no-sync"]);
        _port = FreeLoopbackPort();
        await StartAsync();
        ConnectionString = $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=true;Timeout=5;Command Timeout=60";
    }

    public async ValueTask DisposeAsync()
    {
        RemoveTimescaleStandIn();
        if (_dataDirectory is null)
        {
            return;
        }

        try
        {
            await RunServerToolAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    /// <summary>Fails (under CI) or skips (elsewhere) a test when there is no server.</summary>
    public void Require()
    {
        if (_unavailable is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(_unavailable + " CI=true: failing rather than skipping.");
        }

        Assert.Skip(_unavailable);
    }

    /// <summary>Starts the throwaway server (again, after <see cref="StopImmediatelyAsync"/>) and waits until it takes connections.</summary>
    public Task StartAsync() => RunServerToolAsync("pg_ctl", [
        "-D", _dataDirectory!, "-w", "-t", "60", "-l", Path.Combine(_dataDirectory!, "server.log"),
        "-o", $"-p {_port} -c listen_addresses=127.0.0.1 -k {_dataDirectory} -c max_connections=200",
        "start"]);

    /// <summary>Stops the throwaway server as a crash would (<c>pg_ctl stop -m immediate</c>: no checkpoint, clients cut off).</summary>
    public Task StopImmediatelyAsync() => RunServerToolAsync("pg_ctl", ["-D", _dataDirectory!, "-m", "immediate", "-w", "stop"]);

    /// <summary>Reads the throwaway server's log.</summary>
    public async Task<string> ReadLogAsync()
    {
        await using var log = new FileStream(Path.Combine(_dataDirectory!, "server.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(log);
        return await reader.ReadToEndAsync();
    }

    /// <summary>The first line of the stand-in's files: what marks them as ours (never overwrite or remove a real TimescaleDB).</summary>
    public const string TimescaleStandInMarker = "Flux.Devices test stand-in for TimescaleDB";

    /// <summary>
    /// Installs a stand-in for TimescaleDB into the server's extension folder (its <c>SHAREDIR</c>/extension, what
    /// <c>pg_config --sharedir</c> prints): a <c>timescaledb.control</c> file and a script whose
    /// <c>create_hypertable</c>, with the real function's parameters, checks what the real one checks first (a
    /// timestamp column, an empty table, every unique index holding the time column) and records its arguments in
    /// <c>public.flux_hypertable_calls</c> instead of partitioning. <c>CREATE EXTENSION timescaledb</c> in a database
    /// then makes the migrations take their TimescaleDB branch. The files are removed when the server fixture ends.
    /// </summary>
    /// <remarks>
    /// The folder belongs to the machine's PostgreSQL (root's, usually): the tests must run as a user who may write it
    /// (CI runs as root; the cluster itself runs as <c>postgres</c> and only reads the files). Otherwise, or where a
    /// real TimescaleDB is installed, or the server is not on this machine, the test fails under <c>CI=true</c> and
    /// skips elsewhere.
    /// </remarks>
    public async Task InstallTimescaleStandInAsync()
    {
        Require();
        string shareDirectory;
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT setting FROM pg_config WHERE name = 'SHAREDIR'", connection);
            shareDirectory = (string)(await command.ExecuteScalarAsync())!;
        }

        var folder = Path.Combine(shareDirectory, "extension");
        var control = Path.Combine(folder, "timescaledb.control");
        if (!Directory.Exists(folder))
        {
            Unavailable($"The server's extension folder {folder} is not on this machine: the TimescaleDB stand-in cannot be installed.");
        }

        if (File.Exists(control) && !IsStandIn(control))
        {
            Assert.Skip($"A real TimescaleDB is installed ({control}): the stand-in is not installed over it.");
        }

        var files = new Dictionary<string, string>
        {
            [control] = TimescaleControl,
            [Path.Combine(folder, "timescaledb--0.0.1-flux.sql")] = TimescaleScript,
        };
        foreach (var (path, text) in files)
        {
            var temporary = $"{path}.{Environment.ProcessId}.tmp";
            try
            {
                await File.WriteAllTextAsync(temporary, text);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }

                File.Move(temporary, path, overwrite: true); // atomic: a server reading the file never sees half of it
            }
            catch (UnauthorizedAccessException ex)
            {
                Unavailable($"The extension folder {folder} is not writable by user {Environment.UserName} ({ex.Message}): run the tests as root (as CI does) to test the TimescaleDB branch.");
            }

            lock (_installed)
            {
                if (!_installed.Contains(path))
                {
                    _installed.Add(path);
                }
            }
        }
    }

    private void RemoveTimescaleStandIn()
    {
        lock (_installed)
        {
            foreach (var path in _installed.Where(p => File.Exists(p) && IsStandIn(p)))
            {
                File.Delete(path);
            }

            _installed.Clear();
        }
    }

    /// <summary>Tells whether a file is one of the stand-in's (its first line names it), not a real TimescaleDB's.</summary>
    private static bool IsStandIn(string path) => File.ReadLines(path).FirstOrDefault()?.Contains(TimescaleStandInMarker, StringComparison.Ordinal) == true;

    private static void Unavailable(string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(reason + " CI=true: failing rather than skipping.");
        }

        Assert.Skip(reason);
    }

    private const string TimescaleControl = "# " + TimescaleStandInMarker + """
        : create_hypertable records its arguments and partitions nothing.
        comment = 'Flux.Devices test stand-in for TimescaleDB: create_hypertable records its arguments'
        default_version = '0.0.1-flux'
        relocatable = false
        schema = public
        superuser = true

        """;

    private const string TimescaleScript = "-- " + TimescaleStandInMarker + """

        -- The real function's parameters (TimescaleDB 2.x), so that a call with a name it does not have fails here too.
        CREATE TABLE public.flux_hypertable_calls (
            call_order SERIAL PRIMARY KEY,
            relation TEXT NOT NULL,
            time_column_name NAME NOT NULL,
            chunk_time_interval TEXT,
            create_default_indexes BOOLEAN NOT NULL,
            if_not_exists BOOLEAN NOT NULL,
            migrate_data BOOLEAN NOT NULL
        );

        CREATE FUNCTION public.create_hypertable(
            relation REGCLASS,
            time_column_name NAME,
            partitioning_column NAME = NULL,
            number_partitions INTEGER = NULL,
            associated_schema_name NAME = NULL,
            associated_table_prefix NAME = NULL,
            chunk_time_interval ANYELEMENT = NULL::BIGINT,
            create_default_indexes BOOLEAN = TRUE,
            if_not_exists BOOLEAN = FALSE,
            partitioning_func REGPROC = NULL,
            migrate_data BOOLEAN = FALSE,
            chunk_target_size TEXT = NULL,
            chunk_sizing_func REGPROC = NULL,
            time_partitioning_func REGPROC = NULL)
        RETURNS TABLE (hypertable_id INTEGER, schema_name NAME, table_name NAME, created BOOLEAN)
        LANGUAGE plpgsql AS $function$
        DECLARE
            column_type REGTYPE;
            has_rows BOOLEAN;
        BEGIN
            SELECT a.atttypid::regtype INTO column_type FROM pg_attribute a
            WHERE a.attrelid = relation AND a.attname = time_column_name AND NOT a.attisdropped;
            IF column_type IS NULL THEN
                RAISE EXCEPTION 'column "%" does not exist', time_column_name;
            END IF;
            IF column_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype, 'bigint'::regtype, 'integer'::regtype) THEN
                RAISE EXCEPTION 'invalid type for dimension "%"', time_column_name;
            END IF;
            IF EXISTS (
                SELECT 1 FROM pg_index i
                WHERE i.indrelid = relation AND i.indisunique AND NOT EXISTS (
                    SELECT 1 FROM pg_attribute a WHERE a.attrelid = relation AND a.attname = time_column_name AND a.attnum = ANY (i.indkey))) THEN
                RAISE EXCEPTION 'cannot create a unique index without the column "%" (used in partitioning)', time_column_name;
            END IF;
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', relation) INTO has_rows;
            IF has_rows AND NOT migrate_data THEN
                RAISE EXCEPTION 'table "%" is not empty', relation USING HINT = 'You can migrate data by specifying migrate_data => true when calling this function.';
            END IF;
            INSERT INTO public.flux_hypertable_calls (relation, time_column_name, chunk_time_interval, create_default_indexes, if_not_exists, migrate_data)
            VALUES (relation::text, time_column_name, chunk_time_interval::text, create_default_indexes, if_not_exists, migrate_data);
            RETURN QUERY SELECT 1, (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = relation),
                (SELECT c.relname FROM pg_class c WHERE c.oid = relation), TRUE;
        END
        $function$;

        """;

    /// <summary>Creates an empty schema with a unique name for one test class or test.</summary>
    public async Task<string> CreateSchemaAsync(string prefix)
    {
        Require();
        var schema = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)].ToLowerInvariant();
        await ExecuteAsync($"CREATE SCHEMA \"{schema}\"");
        return schema;
    }

    /// <summary>Drops a schema made by <see cref="CreateSchemaAsync"/>, with everything in it.</summary>
    public Task DropSchemaAsync(string schema) => ExecuteAsync($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");

    /// <summary>Runs one statement on a connection of its own.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Waits (up to 30 s) until a backend of the given application name is blocked on a lock: the state a race test
    /// needs before it lets the other writer commit.
    /// </summary>
    public async Task WaitUntilABackendWaitsOnALockAsync(string applicationName)
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var watcher = new NpgsqlConnection(ConnectionString);
        await watcher.OpenAsync(cancel);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", watcher);
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while ((long)(await command.ExecuteScalarAsync(deadline.Token))! == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunServerToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_binaries!, tool);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
