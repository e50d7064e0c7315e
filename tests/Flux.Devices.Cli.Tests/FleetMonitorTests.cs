using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// <c>flux simulate --fleet</c> and <c>flux monitor</c> as real OS processes: a simulated fleet on real sockets, recording
/// every request it serves to a file; a monitor polling it from a real PostgreSQL database (or a SQLite file); signals
/// sent with <c>kill</c>; the record read as another process reads it.
/// </summary>
public sealed partial class FleetMonitorTests(PostgresServer server) : IAsyncLifetime
{
    /// <summary>The poll timeout of the template the tests configure the fleet with (the spec's: timeout 5s).</summary>
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(5);

    private readonly string _database = $"flux_fleet_{Guid.NewGuid():N}";
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-fleet-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Postgres => new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = _database }.ConnectionString;

    private string Template => Path.Combine(_directory, "powerpack_bess.yaml");

    private string Record => Path.Combine(_directory, "requests.tsv");

    public async ValueTask InitializeAsync() =>
        await File.WriteAllTextAsync(Template, SpecSamples.PowerPackTemplateAsPrinted, Cancel);

    public async ValueTask DisposeAsync()
    {
        if (server.ConnectionString.Length > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await server.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task OneMonitor_Over300SimulatedDevicesOnPostgres_PollsEveryDevice_LogsForJournald_AndStopsOnSigtermWithExit0()
    {
        server.Require();
        await server.ExecuteAsync($"CREATE DATABASE {_database}");
        await using var simulator = FluxChildProcess.Start(["simulate", "--fleet", "300", "--ports", "3", "--port", "0", "--record", Record, "--register", "--template", Template, "--store", Postgres, "--output", "json"]);
        var fleet = Fleet.Parse(await simulator.WaitForOutputLineAsync(l => l.StartsWith('{')));
        Assert.Equal((300, 3, 100), (fleet.Devices, fleet.Ports.Count, fleet.UnitsPerPort));

        using var systemd = new SystemdNotifySocket(Path.Combine(_directory, "notify"));
        await using var monitor = FluxChildProcess.Start(["monitor", "--store", Postgres, "--name", "edge-1"], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = systemd.Path });
        await monitor.WaitForErrorLineAsync(l => l.Contains("flux monitor edge-1 started", StringComparison.Ordinal));
        Assert.Equal("READY=1", await systemd.ReceiveAsync());

        // Every device of the fleet is asked, at its port and unit id, as the simulator recorded it.
        var requests = await WaitForRecordAsync(simulator, r => Polled(r).Count == 300);
        Assert.Equal(fleet.Addresses(), Polled(requests));
        Assert.All(requests, r => Assert.Equal((3, 2000), (r.Function, r.Address))); // the template's registers, read at once

        await monitor.SignalAsync("TERM");
        var stopping = Stopwatch.StartNew();
        var code = await monitor.WaitForExitAsync();
        stopping.Stop();

        Assert.Equal(0, code);
        // Within the poll timeout, with as much again for a busy machine (it takes a fraction of a second).
        Assert.True(stopping.Elapsed < PollTimeout * 2, $"stopped {stopping.Elapsed} after SIGTERM");
        Assert.Equal("STOPPING=1", await systemd.ReceiveAsync());
        Assert.Equal(string.Empty, monitor.Output.ToString());
        var logs = monitor.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(logs, line => Assert.Matches(JournaldLine(), line));
        Assert.Contains("<6>Flux.Devices.Cli.Monitor[1] flux monitor edge-1 started on PostgreSQL", logs[0], StringComparison.Ordinal);
        Assert.Contains("300 device(s) to poll (every device, leases of 30s).", logs[0], StringComparison.Ordinal);
        Assert.Equal("<6>Flux.Devices.Cli.Monitor[2] flux monitor edge-1 stopped.", logs[^1]);

        // The simulator stops as cleanly, and its record ends with its count.
        await simulator.SignalAsync("TERM");
        Assert.Equal(0, await simulator.WaitForExitAsync());
        var text = await ReadSharedAsync(Record);
        Assert.StartsWith("# flux simulate record v1: time_utc port connection remote unit function address quantity\n", text, StringComparison.Ordinal);
        Assert.EndsWith($"# end: {RecordedRequest.Parse(text).Count} requests, 0 dropped\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_StoppedAndContinued_PollsOn_AndSigintStopsIt_WhileAKilledSimulatorLeavesAReadableRecord()
    {
        // SQLite this time, and signals of every kind: SIGSTOP/SIGCONT the monitor, SIGINT it, kill -9 the simulator.
        var store = Path.Combine(_directory, "flux.db");
        var seconds = SpecSamples.PowerPackTemplateAsPrinted.Replace("60s", "1s", StringComparison.Ordinal);
        Assert.NotEqual(SpecSamples.PowerPackTemplateAsPrinted, seconds);
        await File.WriteAllTextAsync(Template, seconds, Cancel);
        await using var simulator = FluxChildProcess.Start(["simulate", "--fleet", "4", "--ports", "2", "--port", "0", "--record", Record, "--register", "--template", Template, "--store", store, "--output", "json"]);
        var fleet = Fleet.Parse(await simulator.WaitForOutputLineAsync(l => l.StartsWith('{')));
        await using var monitor = FluxChildProcess.Start(["monitor", "--store", store]);
        await WaitForRecordAsync(simulator, r => Polled(r).Count == 4);

        await monitor.SignalAsync("STOP");
        var stoppedAt = DateTime.UtcNow;
        await monitor.SignalAsync("CONT");
        var polledAfter = await WaitForRecordAsync(simulator, r => Polled(r.Where(q => q.Time > stoppedAt)).Count == 4);
        await monitor.SignalAsync("INT");

        Assert.Equal(fleet.Addresses(), Polled(polledAfter));
        Assert.Equal(0, await monitor.WaitForExitAsync());
        await simulator.SignalAsync("KILL");
        Assert.Equal(128 + 9, await simulator.WaitForExitAsync());
        var requests = RecordedRequest.Parse(await ReadSharedAsync(Record)); // whole lines only, though it ended mid-run
        Assert.Equal(fleet.Addresses(), Polled(requests));
        Assert.All(requests, r => Assert.Matches(@"^127\.0\.0\.1:\d+$", r.Remote));
        Assert.True(requests.GroupBy(r => (r.Port, r.Connection)).All(c => c.Select(r => r.Remote).Distinct().Count() == 1), "a connection number named two clients");
    }

    [Fact]
    public async Task Monitor_WithABadName_Exits2NamingTheOption_AsAProcess()
    {
        await using var monitor = FluxChildProcess.Start(["monitor", "--name", "edge 1", "--store", Path.Combine(_directory, "none.db")]);

        Assert.Equal(FluxCli.Usage, await monitor.WaitForExitAsync());
        Assert.Equal("flux: --name 'edge 1': an instance name is 1 to 63 letters, digits, '.', '_' or '-'.", monitor.Error.ToString().Trim());
    }

    [Theory]
    [InlineData("--name", "monitor", "--name", "")]
    [InlineData("--name", "monitor", "--name", "a/b")]
    [InlineData("--name", "monitor", "--name", "0123456789012345678901234567890123456789012345678901234567890123")]
    [InlineData("--filter", "monitor", "--filter", "sight=WLCE")]
    [InlineData("--filter", "monitor", "--filter", " ")]
    [InlineData("--lease-time", "monitor", "--lease-time", "0s")]
    [InlineData("--lease-time", "monitor", "--lease-time", "2h")]
    [InlineData("--lease-time", "monitor", "--lease-time", "5s", "--no-leases")]
    [InlineData("--fleet", "simulate", "--fleet", "0")]
    [InlineData("--fleet", "simulate", "--fleet", "many")]
    [InlineData("--ports", "simulate", "--fleet", "10000", "--ports", "3")]
    [InlineData("--ports", "simulate", "--fleet", "2", "--ports", "3")]
    [InlineData("--ports", "simulate", "--ports", "3")]
    [InlineData("--register", "simulate", "--register")]
    [InlineData("--template", "simulate", "--template", "x.yaml")]
    [InlineData("--port", "simulate", "--fleet", "300", "--ports", "3", "--port", "65534")]
    [InlineData("--record", "simulate", "--fleet", "3", "--record", "")]
    [InlineData("--framing", "simulate", "--fleet", "3", "--framing", "rtu")]
    public async Task BadOption_Exits2_NamingIt(string option, params string[] args)
    {
        var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Path.Combine(_directory, "none.db")]);

        Assert.Equal(FluxCli.Usage, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith($"flux: {option}", error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Trim());
        Assert.False(File.Exists(Path.Combine(_directory, "none.db")), "a refused command made a store");
    }

    [Fact]
    public async Task LeasesAskedOnSqlite_AreTheLibrarysConfigurationError_Exit2_AndStatusSaysTheStoreKeepsNone()
    {
        var store = Path.Combine(_directory, "flux.db");
        var (code, _, error) = await FluxProcess.RunAsync("devices", "register", "WLCE-BESS-1", "--type", "bess", "--site", "WLCE", "--metadata", SpecSamples.BessMetadataJson, "--store", store);
        Assert.True(code == 0, error);

        (code, var output, error) = await FluxProcess.RunAsync("monitor", "--lease-time", "5s", "--store", store);
        Assert.Equal(FluxCli.Usage, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("flux: --lease-time: DeviceHealthOptions.Leases.Enabled is set, but the device store (SqliteDeviceStore) cannot keep leases", error.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Trim());

        (code, output, error) = await FluxProcess.RunAsync("monitor", "status", "--store", store);
        Assert.Equal(FluxCli.Usage, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal("flux: monitor status: the store keeps no leases (SQLite serves one monitor): give a PostgreSQL --store, where monitors share the devices with leases.", error.Trim());
    }

    [Fact]
    public async Task Monitor_OnAMissingSqliteFile_IsARuntimeFailure_Exit1_LoggedAsCritical()
    {
        await using var monitor = FluxChildProcess.Start(["monitor", "--store", Path.Combine(_directory, "none.db")]);

        Assert.Equal(FluxCli.Failed, await monitor.WaitForExitAsync());
        var line = monitor.Error.ToString().Trim();
        Assert.StartsWith("<2>Flux.Devices.Cli.Monitor[4] flux monitor ", line, StringComparison.Ordinal);
        Assert.Contains("failed: No registry at", line, StringComparison.Ordinal);
    }

    /// <summary>A line as the systemd console formatter writes it: <c>&lt;priority&gt;category[event id] message</c>.</summary>
    [GeneratedRegex(@"^<[0-7]>[A-Za-z0-9_.]+\[\d+\] \S")]
    private static partial Regex JournaldLine();

    /// <summary>The (port, unit id) pairs that were asked.</summary>
    private static SortedSet<(int Port, byte UnitId)> Polled(IEnumerable<RecordedRequest> requests) => [.. requests.Select(r => (r.Port, r.UnitId))];

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file, Encoding.UTF8);
        return await reader.ReadToEndAsync(Cancel);
    }

    /// <summary>
    /// Reads the record as it is written (every 200 ms) until <paramref name="done"/> holds; fails after
    /// <see cref="FluxChildProcess.Patience"/>, or if the simulator ends.
    /// </summary>
    private async Task<List<RecordedRequest>> WaitForRecordAsync(FluxChildProcess simulator, Func<List<RecordedRequest>, bool> done)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var requests = RecordedRequest.Parse(await ReadSharedAsync(Record));
            if (done(requests))
            {
                return requests;
            }

            Assert.True(waited.Elapsed < FluxChildProcess.Patience && !simulator.HasExited, $"The record never held what was expected ({requests.Count} requests, {Polled(requests).Count} devices).\n{simulator}");
            await Task.Delay(RequestRecorder.FlushInterval, Cancel); // the next write of the record
        }
    }

    /// <summary>The fleet as <c>flux simulate --fleet --output json</c> describes it.</summary>
    private sealed record Fleet(int Devices, IReadOnlyList<int> Ports, int UnitsPerPort)
    {
        public static Fleet Parse(string line)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return new Fleet(root.GetProperty("devices").GetInt32(), [.. root.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32())], root.GetProperty("units_per_port").GetInt32());
        }

        /// <summary>Every device's (port, unit id).</summary>
        public SortedSet<(int Port, byte UnitId)> Addresses() =>
            [.. Enumerable.Range(0, Devices).Select(i => (Ports[i / UnitsPerPort], (byte)((i % UnitsPerPort) + 1)))];
    }

    /// <summary>A datagram socket standing in for systemd's <c>$NOTIFY_SOCKET</c>.</summary>
    private sealed class SystemdNotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        public SystemdNotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
        }

        public string Path { get; }

        public async Task<string> ReceiveAsync()
        {
            var buffer = new byte[256];
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, Cancel).AsTask().WaitAsync(FluxChildProcess.Patience, Cancel);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }

        public void Dispose() => _socket.Dispose();
    }
}
