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
