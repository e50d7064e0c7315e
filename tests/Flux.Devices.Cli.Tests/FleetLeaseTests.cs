using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// Several <c>flux monitor</c> processes sharing one fleet through leases in a real PostgreSQL database, with real
/// sockets: the simulator (<c>flux simulate --fleet --record</c>) records every request with its time and client
/// connection, and <see cref="ConnectionOwners"/> tells which monitor process each connection belongs to, so the record
/// says who polled which device when. Lease time 5 s (renewed every 5/3 s), polling interval 1 s. The class owns a
/// throwaway PostgreSQL cluster (one test restarts it) and runs alone (its processes need the machine's cores).
/// </summary>
[Collection(nameof(FleetLeaseTests))]
[CollectionDefinition(nameof(FleetLeaseTests), DisableParallelization = true)]
public sealed partial class FleetLeaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How much sooner than one interval a second monitor's request may reach the simulator and still not count as an
    /// overlap. A new owner polls one interval after the previous owner's newest sample, whose timestamp is taken just
    /// before its request is sent; the record has the time the simulator received each request, later by the send and
    /// receive latency of a busy machine (tens of milliseconds). A second poll of the same device is never that close to
    /// an interval apart: it comes at once, or on the other monitor's own schedule.
    /// </summary>
    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(150);

    private readonly PostgresServer _server = PostgresServer.Throwaway();
    private readonly string _database = $"flux_leases_{Guid.NewGuid():N}";
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-leases-").FullName;
    private readonly List<FluxChildProcess> _processes = [];
    private readonly List<Fleet> _fleets = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Postgres => new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = _database, MaxPoolSize = 15 }.ConnectionString;

    private string Template => Path.Combine(_directory, "powerpack_bess.yaml");

    public async ValueTask InitializeAsync()
    {
        await _server.InitializeAsync();
        var seconds = SpecSamples.PowerPackTemplateAsPrinted.Replace("polling_interval: 60s", "polling_interval: 1s", StringComparison.Ordinal);
        Assert.NotEqual(SpecSamples.PowerPackTemplateAsPrinted, seconds);
        await File.WriteAllTextAsync(Template, seconds, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ThreeMonitors_Over300Devices_PollEveryDevice_WithZeroOverlaps_StatusListsThem_AndSigtermGivesTheLeasesBack()
    {
        await CreateDatabaseAsync();
        var (simulator, fleet, record) = await StartSimulatorAsync(300, 3);
        await using var owners = new ConnectionOwners(fleet.Ports);
        var monitors = StartThreeMonitors(owners);
        var names = await NamesAsync();

        var stable = await WaitForSharesAsync(["m1", "m2", "m3"], 300);
        var stableAt = DateTime.UtcNow;
        var requests = await WaitForRecordAsync(simulator, record, r => Polled(r).Count == 300 && r.Count > 0 && r[^1].Time > stableAt + (3 * Interval));

        // Every device polled; no device polled by two monitors within one interval, from the start (the first monitor
        // claimed everything alone and gave back to the others as they came).
        Assert.Equal(fleet.Addresses(), Polled(requests));
        var polls = Attribute(requests, owners);
        Assert.DoesNotContain(polls, p => p.Monitor == "?");
        Assert.Equal(["m1", "m2", "m3"], polls.Select(p => p.Monitor).Distinct().Order());
        AssertNoOverlap(polls);

        // flux monitor status lists the three, with their devices, heartbeats and scope.
        var (code, output, error) = await FluxProcess.RunAsync("monitor", "status", "--store", Postgres, "--output", "json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var listed = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["m1", "m2", "m3"], listed.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(300, listed.Sum(i => i.GetProperty("devices").GetInt32()));
        Assert.All(listed, i => Assert.Equal(JsonValueKind.Null, i.GetProperty("scope").ValueKind));
        Assert.All(listed, i => Assert.True(DateTimeOffset.UtcNow - i.GetProperty("heartbeat_at").GetDateTimeOffset() < LeaseTime, "an old heartbeat"));
        (code, output, error) = await FluxProcess.RunAsync("monitor", "status", "--store", Postgres);
        Assert.True(code == 0, error);
        Assert.Matches(@"^NAME +ID +DEVICES +LAST HEARTBEAT +SCOPE\n", output);
        Assert.Matches(@"\nm2 +[0-9a-f-]{36} +\d+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +\(every device\)\n", output);

        // SIGTERM: m1 stops within the poll timeout (5 s) and its leases are given back at once (not left to expire).
        await monitors[0].SignalAsync("TERM");
        var stopping = Stopwatch.StartNew();
        Assert.Equal(0, await monitors[0].WaitForExitAsync());
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopped {stopping.Elapsed} after SIGTERM");
        Assert.Equal(0, await ScalarAsync<long>($"SELECT count(*) FROM flux.device_leases l JOIN flux.monitor_instances i ON i.id = l.owner WHERE i.name = 'm1'"));
        Assert.NotNull(await ScalarAsync<DateTime?>("SELECT stopped_at FROM flux.monitor_instances WHERE name = 'm1'"));
        Assert.True(stable["m1"] > 0);

        // The two others take its devices over, and stop as cleanly: no lease left.
        await WaitForSharesAsync(["m2", "m3"], 300);
        await StopCleanlyAsync(monitors[1..]);

        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM flux.device_leases"));
        Assert.Equal(300, names.Count);
        AssertNoOverlap(Attribute(await ReadRecordAsync(record), owners));
    }

    [Fact]
    public async Task KilledMonitor_ItsDevicesArePolledByTheOthersWithinTwoLeaseTimes_AndRestarted_ItGetsItsShareBack()
    {
        await CreateDatabaseAsync();
        var (simulator, fleet, record) = await StartSimulatorAsync(300, 3);
        await using var owners = new ConnectionOwners(fleet.Ports);
        var monitors = StartThreeMonitors(owners);
        var names = await NamesAsync();
        await WaitForSharesAsync(["m1", "m2", "m3"], 300);
        await WaitForRecordAsync(simulator, record, r => Polled(r).Count == 300);

        // kill -9 m3: what it held is polled by m1 and m2 within 2 x the lease time.
        var held = await HeldAsync("m3");
        Assert.NotEmpty(held);
        owners.Scan();
        await monitors[2].SignalAsync("KILL");
        var killedAt = DateTime.UtcNow;
        Assert.Equal(128 + 9, await monitors[2].WaitForExitAsync());
        var orphans = held.Select(id => names[id]).ToHashSet();
        var requests = await WaitForRecordAsync(simulator, record, r => Polled(r.Where(q => q.Time > killedAt + Interval)).IsSupersetOf(orphans));
        var polls = Attribute(requests, owners);
        var failover = orphans.Max(device => polls.First(p => p.Device == device && p.Time > killedAt && p.Monitor != "m3").Time) - killedAt;
        Assert.True(failover < 2 * LeaseTime, $"the last of m3's {orphans.Count} devices was polled again {failover} after kill -9");
        Assert.DoesNotContain(polls, p => p.Monitor == "m3" && p.Time > killedAt);

        // Started again (a new instance under the same name), it gets its share back: within ⌈1.1 x 100⌉ once stable,
        // and no device goes unpolled for longer than one lease time while devices move to it.
        var restartedAt = DateTime.UtcNow;
        monitors[2] = StartMonitorAs(owners, "m3", "m3 again");
        var shares = await WaitForSharesAsync(["m1", "m2", "m3"], 300);
        var stableAt = DateTime.UtcNow;
        Assert.InRange(shares["m3"], 300 - (2 * 110), 110); // its share, within the bound
        requests = await WaitForRecordAsync(simulator, record, r => r.Count > 0 && r[^1].Time > stableAt + (3 * Interval) && Polled(r.Where(q => q.Time > restartedAt)).Count == 300);
        polls = Attribute(requests, owners);
        Assert.Contains(polls, p => p.Monitor == "m3 again");
        Assert.DoesNotContain(polls, p => p.Monitor == "?");
        AssertNoOverlap(polls);
        var longest = polls.Where(p => p.Time > restartedAt - Interval).GroupBy(p => p.Device).Max(g => Gaps(g).DefaultIfEmpty().Max());
        Assert.True(longest < LeaseTime, $"a device went unpolled for {longest} while m3 took its share back");

        await StopCleanlyAsync(monitors);
    }

    [Fact]
    public async Task StoppedPastItsLease_ThenContinued_AMonitorsWritesForTheDevicesItLostAreRefused_AndNoneIsStored()
    {
        await CreateDatabaseAsync();
        var (simulator, fleet, record) = await StartSimulatorAsync(300, 3);
        await using var owners = new ConnectionOwners(fleet.Ports);
        var monitors = StartThreeMonitors(owners);
        await WaitForSharesAsync(["m1", "m2", "m3"], 300);
        await WaitForRecordAsync(simulator, record, r => Polled(r).Count == 300);
        var lost = await HeldAsync("m1");
        Assert.NotEmpty(lost);

        // Catch m1 with polls under way: the simulator paused, m1's requests wait unread in the simulator's sockets;
        // m1 is stopped with them in flight, and the simulator answers them while m1 is stopped.
        await simulator.SignalAsync("STOP");
        await WaitUntilAsync(
            () => ConnectionOwners.ReadTcp().Where(s => fleet.Ports.Contains(s.LocalPort) && s.RemotePort != 0) is var accepted && accepted.Count() >= 9 && accepted.All(s => s.ReceiveQueue > 0),
            () => "the monitors' requests did not all wait at the paused simulator (every connection of each of the three monitors)");
        await monitors[0].SignalAsync("STOP");
        var stoppedAt = DateTime.UtcNow; // m1 is stopped now: every poll it started has an earlier timestamp
        await simulator.SignalAsync("CONT");

        // Past its lease, m2 and m3 take every device m1 held (new owners, new tokens).
        await WaitUntilAsync(async () => await ScalarAsync<long>($"SELECT count(*) FROM flux.device_leases l JOIN flux.monitor_instances i ON i.id = l.owner WHERE l.device_id = ANY(@ids) AND i.name IN ('m2', 'm3') AND l.expires_at > now()", lost) == lost.Count, "m2 and m3 never took m1's devices");
        var before = await SampleKeysAsync(lost);
        var readingsBefore = await ScalarAsync<long>("SELECT count(*) FROM flux.device_telemetry WHERE device_id = ANY(@ids) AND timestamp < @stopped", lost, stoppedAt);

        // Continued, m1 finishes the polls it had under way and tries to write their samples: refused by the fence.
        await monitors[0].SignalAsync("CONT");
        await WaitUntilAsync(() => monitors[0].Error.ToString().Contains("flux monitor m1: the store refused", StringComparison.Ordinal), () => "m1 did not log refused writes:\n" + string.Join('\n', monitors[0].Error.ToString().Split('\n').Where(l => !l.Contains("[5202]", StringComparison.Ordinal))));
        var fenced = monitors[0].Error.ToString().Split('\n').First(l => l.Contains("flux monitor m1: the store refused", StringComparison.Ordinal));
        Assert.Matches(@"^<4>Flux\.Devices\.Cli\.Monitor\[5\] flux monitor m1: the store refused [1-9]\d* write\(s\) fenced by leases this instance lost \([1-9]\d* in all\); nothing of them was stored\.$", fenced);
        await StopCleanlyAsync(monitors); // a clean stop writes (or has refused) everything waiting

        // No sample of a lost device appeared after the takeover with a timestamp from before m1 was stopped: those are
        // exactly m1's polls under its old leases (nobody else polled these devices before m1's leases expired).
        var after = await SampleKeysAsync(lost);
        var late = after.Except(before).Where(s => s.Timestamp < stoppedAt).ToList();
        Assert.Empty(late);
        Assert.Equal(before.Count(s => s.Timestamp < stoppedAt), after.Count(s => s.Timestamp < stoppedAt)); // nothing removed either
        Assert.Equal(readingsBefore, await ScalarAsync<long>("SELECT count(*) FROM flux.device_telemetry WHERE device_id = ANY(@ids) AND timestamp < @stopped", lost, stoppedAt)); // its readings (stamped as the sample) neither
        var log = monitors[0].Error.ToString();
        Assert.Contains("lost the lease of device", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoSiteMonitorsAndACentralOne_EachDeviceIsPolledByExactlyOne()
    {
        await CreateDatabaseAsync();
        var sites = new Dictionary<string, (FluxChildProcess Simulator, Fleet Fleet, string Record)>();
        foreach (var site in new[] { "A", "B", "C" })
        {
            sites[site] = await StartSimulatorAsync(60, 1, site);
        }

        await using var owners = new ConnectionOwners(sites.Values.SelectMany(s => s.Fleet.Ports));
        // The central monitor first: it holds everything alone, then gives back part of A and B when the sites' monitors
        // join, and keeps all of C (only it covers C); no device may be left unheld while every instance is at its share.
        var central = StartMonitor(owners, "central");
        await WaitForSharesAsync(["central"], 180, new() { ["central"] = 180 });
        var monitors = new[] { central, StartMonitor(owners, "site-a", "--filter", "site=A"), StartMonitor(owners, "site-b", "--filter", "site=B") };

        // Shares: a site's monitor half its site (30), the central one half of A and B and all of C (120).
        var shares = await WaitForSharesAsync(["site-a", "site-b", "central"], 180, new() { ["site-a"] = 30, ["site-b"] = 30, ["central"] = 120 });
        var stableAt = DateTime.UtcNow;
        var polls = new List<Poll>();
        foreach (var (site, (simulator, fleet, record)) in sites)
        {
            var requests = await WaitForRecordAsync(simulator, record, r => Polled(r).Count == 60 && r[^1].Time > stableAt + (3 * Interval));
            Assert.Equal(fleet.Addresses(), Polled(requests));
            var attributed = Attribute(requests, owners);
            string[] allowed = site switch { "A" => ["site-a", "central"], "B" => ["site-b", "central"], _ => ["central"] };
            Assert.All(attributed, p => Assert.Contains(p.Monitor, allowed));
            polls.AddRange(attributed);
        }

        AssertNoOverlap(polls);
        Assert.Equal(180, shares.Values.Sum());
        var (code, output, error) = await FluxProcess.RunAsync("monitor", "status", "--store", Postgres, "--output", "json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(
            ["central:", "site-a:site=A", "site-b:site=B"],
            json.RootElement.EnumerateArray().Select(i => $"{i.GetProperty("name").GetString()}:{i.GetProperty("scope").GetString()}"));
        await StopCleanlyAsync(monitors);
    }

    [Fact]
    public async Task PostgresRestartedUnderThreeMonitors_PollingResumes_OneLeasePerDevice_NoOverlap_AndNoCommittedSampleLost()
    {
        await CreateDatabaseAsync();
        var (simulator, fleet, record) = await StartSimulatorAsync(300, 3);
        await using var owners = new ConnectionOwners(fleet.Ports);
        var monitors = StartThreeMonitors(owners);
        await WaitForSharesAsync(["m1", "m2", "m3"], 300);
        await WaitForRecordAsync(simulator, record, r => Polled(r).Count == 300);

        // Acknowledged = committed: every sample a reader sees before the crash must be there after it.
        var committed = await ScalarAsync<long>("SELECT count(*) FROM flux.device_health");
        var readAt = await ScalarAsync<DateTime>("SELECT max(timestamp) FROM flux.device_health");
        await _server.StopImmediatelyAsync();
        var downAt = DateTime.UtcNow;
        await _server.StartAsync();
        var upAt = DateTime.UtcNow;

        // Polling resumes on every device, each polled by one monitor per interval; one lease per device again.
        await WaitForSharesAsync(["m1", "m2", "m3"], 300);
        var resumedAt = DateTime.UtcNow;
        var requests = await WaitForRecordAsync(simulator, record, r => r.Count > 0 && r[^1].Time > resumedAt + (3 * Interval) && Polled(r.Where(q => q.Time > resumedAt)).Count == 300);
        var polls = Attribute(requests, owners);
        Assert.DoesNotContain(polls, p => p.Monitor == "?");
        AssertNoOverlap(polls);
        Assert.Equal(300, await ScalarAsync<long>("SELECT count(DISTINCT device_id) FROM flux.device_leases WHERE expires_at > now()"));
        Assert.Equal(300, await ScalarAsync<long>("SELECT count(*) FROM flux.device_leases"));

        // Nothing committed was lost, samples are stored again for every device, and no device's series has a hole
        // longer than the outage plus a lease time (the leases lapse while the database is away).
        await WaitUntilAsync(async () => await ScalarAsync<long>("SELECT count(DISTINCT device_id) FROM flux.device_health WHERE timestamp > @up", upAt) == 300, "samples were not stored again for every device");
        Assert.True(await ScalarAsync<long>("SELECT count(*) FROM flux.device_health WHERE timestamp <= @read", readAt) >= committed, "committed samples were lost");
        var longest = await ScalarAsync<double>("SELECT extract(epoch FROM max(gap)) FROM (SELECT timestamp - lag(timestamp) OVER (PARTITION BY device_id ORDER BY timestamp) AS gap FROM flux.device_health) g");
        var bound = (upAt - downAt) + (2 * LeaseTime) + (2 * Interval);
        Assert.True(TimeSpan.FromSeconds(longest) < bound, $"a device's samples have a hole of {longest} s (outage {upAt - downAt})");
        await StopCleanlyAsync(monitors);

        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM flux.device_leases"));
    }

    /// <summary>The gaps between a device's consecutive polls.</summary>
    private static IEnumerable<TimeSpan> Gaps(IEnumerable<Poll> polls)
    {
        var times = polls.Select(p => p.Time).Order().ToList();
        return times.Zip(times.Skip(1), (a, b) => b - a);
    }

    private static void AssertNoOverlap(List<Poll> polls)
    {
        var overlaps = Overlaps(polls);
        var first = polls.Count == 0 ? default : polls.MinBy(p => p.Time).Time;
        var shown = overlaps.Take(3).Select(o => o[..o.IndexOf(':', StringComparison.Ordinal)]).ToHashSet();
        var timelines = polls.Where(p => shown.Contains(p.Device.ToString())).GroupBy(p => p.Device).Select(g => $"{g.Key}: {string.Join(", ", g.OrderBy(p => p.Time).Take(12).Select(p => $"{p.Monitor} {(p.Time - first).TotalSeconds:F3}"))}");
        Assert.True(overlaps.Count == 0, $"{overlaps.Count} overlap(s) in {polls.Count} requests from {first:HH:mm:ss.fff}:\n{string.Join('\n', overlaps.Take(30))}\n{string.Join('\n', timelines)}");
    }

    /// <summary>Two monitors polling one device within one interval, described; empty when there is none.</summary>
    private static List<string> Overlaps(List<Poll> polls)
    {
        var overlaps = new List<string>();
        foreach (var device in polls.GroupBy(p => p.Device))
        {
            Poll? previous = null;
            foreach (var poll in device.OrderBy(p => p.Time))
            {
                if (previous is { } p && p.Monitor != poll.Monitor && poll.Time - p.Time < Interval - Jitter)
                {
                    overlaps.Add($"{device.Key}: {p.Monitor} at {p.Time:HH:mm:ss.fff}, {poll.Monitor} at {poll.Time:HH:mm:ss.fff}");
                }

                previous = poll;
            }
        }

        return overlaps;
    }

    private static List<Poll> Attribute(List<RecordedRequest> requests, ConnectionOwners owners) =>
        [.. requests.Select(r => new Poll((r.Port, r.UnitId), r.Time, owners.LabelOf(r)))];

    /// <summary>The (port, unit id) pairs that were asked.</summary>
    private static SortedSet<(int Port, byte UnitId)> Polled(IEnumerable<RecordedRequest> requests) => [.. requests.Select(r => (r.Port, r.UnitId))];

    private async Task CreateDatabaseAsync()
    {
        _server.Require();
        await _server.ExecuteAsync($"CREATE DATABASE {_database}");
    }

    private async Task<(FluxChildProcess Simulator, Fleet Fleet, string Record)> StartSimulatorAsync(int devices, int ports, string site = "WLCE")
    {
        var record = Path.Combine(_directory, $"requests-{site}.tsv");
        var simulator = FluxChildProcess.Start(["simulate", "--fleet", devices.ToString(CultureInfo.InvariantCulture), "--ports", ports.ToString(CultureInfo.InvariantCulture), "--port", "0", "--site", site, "--record", record, "--register", "--template", Template, "--store", Postgres, "--output", "json"]);
        _processes.Add(simulator);
        var fleet = Fleet.Parse(await simulator.WaitForOutputLineAsync(l => l.StartsWith('{')), site);
        _fleets.Add(fleet);
        return (simulator, fleet, record);
    }

    private FluxChildProcess StartMonitor(ConnectionOwners owners, string name, params string[] more) => StartMonitorAs(owners, name, name, more);

    private FluxChildProcess StartMonitorAs(ConnectionOwners owners, string name, string label, params string[] more)
    {
        var monitor = FluxChildProcess.Start(["monitor", "--store", Postgres, "--name", name, "--lease-time", "5s", .. more]);
        _processes.Add(monitor);
        owners.Track(monitor, label);
        return monitor;
    }

    /// <summary>Every device's id, by (port, unit id), from the names the simulator registers them under (SITE-BESS-00001 is the first).</summary>
    private async Task<Dictionary<Guid, (int Port, byte UnitId)>> NamesAsync()
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT id, name FROM flux.mg_device_registry", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var names = new Dictionary<Guid, (int, byte)>();
        while (await reader.ReadAsync(Cancel))
        {
            names[reader.GetGuid(0)] = _fleets.Single(f => reader.GetString(1).StartsWith(f.Site + "-", StringComparison.Ordinal)).AddressOf(reader.GetString(1));
        }

        return names;
    }

    /// <summary>The devices a monitor instance (by name, live) holds an unexpired lease on.</summary>
    private async Task<List<Guid>> HeldAsync(string name)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT l.device_id FROM flux.device_leases l JOIN flux.monitor_instances i ON i.id = l.owner WHERE i.name = @name AND i.stopped_at IS NULL AND l.expires_at > now()", connection);
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var held = new List<Guid>();
        while (await reader.ReadAsync(Cancel))
        {
            held.Add(reader.GetGuid(0));
        }

        return held;
    }

    /// <summary>The (device, timestamp) keys of the stored health samples of these devices.</summary>
    private async Task<HashSet<(Guid DeviceId, DateTime Timestamp)>> SampleKeysAsync(List<Guid> devices)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT device_id, timestamp FROM flux.device_health WHERE device_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", devices.ToArray());
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var keys = new HashSet<(Guid, DateTime)>();
        while (await reader.ReadAsync(Cancel))
        {
            keys.Add((reader.GetGuid(0), reader.GetDateTime(1)));
        }

        return keys;
    }

    /// <summary>
    /// Waits until the named live instances hold every device between them, each within the documented bound of its
    /// share once stable (at most ⌈1.1 × share⌉, and so at least what the others leave; the share is an equal split
    /// unless given), and returns what each holds.
    /// </summary>
    private FluxChildProcess[] StartThreeMonitors(ConnectionOwners owners) => [StartMonitor(owners, "m1"), StartMonitor(owners, "m2"), StartMonitor(owners, "m3")];

    /// <summary>SIGTERM to each monitor in turn; each must exit 0 (a clean stop writes what waits and gives its leases back).</summary>
    private static async Task StopCleanlyAsync(IEnumerable<FluxChildProcess> monitors)
    {
        foreach (var monitor in monitors)
        {
            await monitor.SignalAsync("TERM");
            Assert.Equal(0, await monitor.WaitForExitAsync());
        }
    }

    private async Task<Dictionary<string, int>> WaitForSharesAsync(string[] names, int devices, Dictionary<string, double>? shares = null)
    {
        Dictionary<string, int> held = [];
        await WaitUntilAsync(
            async () =>
            {
                held = await HeldCountsAsync();
                return held.Keys.Order().SequenceEqual(names.Order()) && held.Values.Sum() == devices && names.All(n =>
                {
                    var share = shares?[n] ?? (double)devices / names.Length;
                    return held[n] > 0 && held[n] <= Math.Ceiling((1.1 * share) - 1e-9);
                });
            },
            () => $"the leases never settled: {string.Join(", ", held.Select(h => $"{h.Key} {h.Value}"))}\n{string.Join('\n', _processes.Select(p => string.Join('\n', p.ToString().Split('\n').Where(l => !l.Contains("[5202]", StringComparison.Ordinal) && !l.Contains("[2000]", StringComparison.Ordinal)).Take(40))))}");
        return held;
    }

    private async Task<Dictionary<string, int>> HeldCountsAsync()
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT i.name, count(l.device_id) FROM flux.monitor_instances i LEFT JOIN flux.device_leases l ON l.owner = i.id AND l.expires_at > now() WHERE i.stopped_at IS NULL AND i.expires_at > now() GROUP BY i.id, i.name", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var held = new Dictionary<string, int>();
        while (await reader.ReadAsync(Cancel))
        {
            held[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return held;
    }

    private async Task<T> ScalarAsync<T>(string sql, List<Guid>? ids = null, DateTime? at = null)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        if (ids is not null)
        {
            command.Parameters.AddWithValue("ids", ids.ToArray());
        }

        if (at is { } time)
        {
            foreach (var name in new[] { "stopped", "up", "read" })
            {
                if (sql.Contains("@" + name, StringComparison.Ordinal))
                {
                    command.Parameters.AddWithValue(name, DateTime.SpecifyKind(time, DateTimeKind.Utc));
                }
            }
        }

        var value = await command.ExecuteScalarAsync(Cancel);
        return value is DBNull or null ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    private Task<T> ScalarAsync<T>(string sql, DateTime at) => ScalarAsync<T>(sql, null, at);

    /// <summary>Waits (checking every 200 ms, for <see cref="FluxChildProcess.Patience"/> at most) until the condition holds.</summary>
    private static Task WaitUntilAsync(Func<bool> condition, Func<string> failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string failure) => WaitUntilAsync(condition, () => failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> failure)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (NpgsqlException) when (waited.Elapsed < FluxChildProcess.Patience)
            {
                // The database is starting again.
            }

            Assert.True(waited.Elapsed < FluxChildProcess.Patience, failure());
            await Task.Delay(200, Cancel);
        }
    }

    private static async Task<List<RecordedRequest>> ReadRecordAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file, Encoding.UTF8);
        return RecordedRequest.Parse(await reader.ReadToEndAsync(Cancel));
    }

    /// <summary>Reads the record as it is written (every 200 ms) until <paramref name="done"/> holds, failing after <see cref="FluxChildProcess.Patience"/>.</summary>
    private static async Task<List<RecordedRequest>> WaitForRecordAsync(FluxChildProcess simulator, string record, Func<List<RecordedRequest>, bool> done)
    {
        List<RecordedRequest> requests = [];
        await WaitUntilAsync(
            async () =>
            {
                Assert.False(simulator.HasExited, $"The simulator ended.\n{simulator}");
                requests = await ReadRecordAsync(record);
                return done(requests);
            },
            () => $"The record never held what was expected ({requests.Count} requests, {Polled(requests).Count} devices).");
        return requests;
    }

    /// <summary>One request of the record: the device, when, and the monitor whose connection sent it.</summary>
    private readonly record struct Poll((int Port, byte UnitId) Device, DateTime Time, string Monitor);

    /// <summary>The fleet as <c>flux simulate --fleet --output json</c> describes it.</summary>
    private sealed record Fleet(string Site, int Devices, IReadOnlyList<int> Ports, int UnitsPerPort)
    {
        public static Fleet Parse(string line, string site)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return new Fleet(site, root.GetProperty("devices").GetInt32(), [.. root.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32())], root.GetProperty("units_per_port").GetInt32());
        }

        /// <summary>Every device's (port, unit id).</summary>
        public SortedSet<(int Port, byte UnitId)> Addresses() =>
            [.. Enumerable.Range(0, Devices).Select(i => (Ports[i / UnitsPerPort], (byte)((i % UnitsPerPort) + 1)))];

        /// <summary>The (port, unit id) of the device the simulator registered under this name.</summary>
        public (int Port, byte UnitId) AddressOf(string name)
        {
            var index = int.Parse(name[(name.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture) - 1;
            return (Ports[index / UnitsPerPort], (byte)((index % UnitsPerPort) + 1));
        }
    }
}
