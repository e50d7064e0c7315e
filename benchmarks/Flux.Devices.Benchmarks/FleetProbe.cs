using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Flux.Devices.Health;
using Flux.Devices.Postgres;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// The fleet figures of issue 15, which BenchmarkDotNet cannot give (several OS processes, a kill -9): the CLI's
/// simulator serves N PowerPack BESS on P ports of 127.0.0.2 and records every request; it registers and configures them
/// (polling interval 10 s) in a fresh PostgreSQL database; three monitor processes (this program in its
/// <c>fleet-monitor</c> mode: the library's health monitor with leases, nothing else) poll them. At <c>kill</c> seconds one
/// monitor is killed with SIGKILL; at <c>seconds</c> the others are stopped with SIGTERM-like cancellation (stdin closed).
/// From the record: per device and polling interval, polled once, missed or twice; the failover time (from the kill until
/// every device the killed monitor held was polled by another). From /proc: each monitor's CPU time over wall time, per
/// 1,000 devices it held. From each monitor: its lease renewals and the PostgreSQL commands (round trips) each made.
/// </summary>
/// <remarks>
/// <c>benchmarks/fleet/run.sh [devices] [ports] [seconds] [kill-at]</c> makes the throwaway cluster and runs it.
/// </remarks>
internal static class FleetProbe
{
    private const int Monitors = 3;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(string[] args)
    {
        var devices = Arg(args, 1, 10_000);
        var ports = Arg(args, 2, 50);
        var seconds = Arg(args, 3, 120);
        var killAt = Arg(args, 4, 70);
        var admin = Environment.GetEnvironmentVariable("FLUX_BENCH_POSTGRES")
            ?? throw new InvalidOperationException("Set FLUX_BENCH_POSTGRES (benchmarks/fleet/run.sh does).");
        var database = "flux_fleet";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await Exec(connection, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await Exec(connection, $"CREATE DATABASE {database}");
        }

        var store = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 20 }.ConnectionString;
        var work = Directory.CreateTempSubdirectory("flux-fleet-");
        var template = Path.Combine(work.FullName, "powerpack_bess_10s.yaml");
        var shipped = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "templates", "powerpack_bess.yaml"));
        await File.WriteAllTextAsync(template, shipped.Replace("polling_interval: 60s", "polling_interval: 10s", StringComparison.Ordinal));
        var record = Path.Combine(work.FullName, "record.tsv");
        var flux = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../samples/Flux.Devices.Cli/bin/Release/net10.0/flux.dll"));

        Console.WriteLine($"fleet: {devices} devices on {ports} ports, {Monitors} monitors, interval {Interval.TotalSeconds} s, {seconds} s, kill -9 at {killAt} s; loadavg {LoadAverage()}");
        using var simulator = Start("dotnet", [flux, "simulate", "--fleet", N(devices), "--ports", N(ports), "--port", "15100", "--register", "--template", template, "--record", record, "--store", store]);
        await simulator.WaitForLineAsync(line => line.Contains("Simulating a fleet", StringComparison.Ordinal), TimeSpan.FromMinutes(3));
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await Exec(connection, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            await Exec(connection, "SELECT pg_stat_statements_reset()");
        }

        var self = typeof(FleetProbe).Assembly.Location;
        var monitors = Enumerable.Range(1, Monitors).Select(i => Start("dotnet", [self, "fleet-monitor", $"monitor-{i}"], ("FLUX_FLEET_STORE", store))).ToList();
        var started = DateTime.UtcNow;
        foreach (var monitor in monitors)
        {
            await monitor.WaitForLineAsync(line => line.StartsWith("running", StringComparison.Ordinal), TimeSpan.FromMinutes(2));
        }

        var cpuAtStart = monitors.Select(m => Cpu(m.Process.Id)).ToArray();
        var wallAtStart = DateTime.UtcNow;
        using var sampling = new CancellationTokenSource();
        var fairShare = FairShareAsync(store, devices, started, sampling.Token);
        await Task.Delay(TimeSpan.FromSeconds(killAt) - (DateTime.UtcNow - started));
        await sampling.CancelAsync();
        Console.WriteLine(await fairShare);

        // Who held what just before the kill; the CPU of the steady part.
        var victim = monitors[0];
        var heldBefore = await HeldAsync(store);
        var cpuAtKill = monitors.Select(m => Cpu(m.Process.Id)).ToArray();
        var wallAtKill = DateTime.UtcNow;
        var statsAtKill = monitors.Select(m => m.LastStats).ToArray();
        var victimInstance = victim.Instance ?? throw new InvalidOperationException("The monitor did not say its instance id.");
        victim.Process.Kill();
        var killed = DateTime.UtcNow;
        Console.WriteLine($"kill -9 {victim.Name} (pid {victim.Process.Id}) at {killed:O}, it held {heldBefore.Count(h => h.Owner == victimInstance)} devices");

        await Task.Delay(TimeSpan.FromSeconds(seconds) - (DateTime.UtcNow - started));
        foreach (var monitor in monitors.Skip(1))
        {
            monitor.Process.StandardInput.Close(); // a clean stop
        }

        var stopping = DateTime.UtcNow;
        foreach (var monitor in monitors.Skip(1))
        {
            try
            {
                await monitor.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
                Console.WriteLine($"{monitor.Name} stopped {(DateTime.UtcNow - stopping).TotalSeconds:F1} s after its stdin closed");
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine($"{monitor.Name} did not stop within 2 minutes of its stdin closing: killed");
                monitor.Process.Kill();
            }
        }

        simulator.Process.StandardInput.Close();
        Signal(simulator.Process.Id, "INT");
        var simulatorStopping = DateTime.UtcNow;
        try
        {
            await simulator.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(4)).Token);
            Console.WriteLine($"simulator stopped {(DateTime.UtcNow - simulatorStopping).TotalSeconds:F1} s after SIGINT");
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("simulator did not stop within 4 minutes of SIGINT: killed; the record is what it had written");
            simulator.Process.Kill();
        }

        List<(string Query, long Calls)> statements = [];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT query, calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 ORDER BY calls DESC LIMIT 25", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = database });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                statements.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        Report(devices, started, killed, record, heldBefore, victimInstance, monitors, statsAtKill, cpuAtStart, cpuAtKill, wallAtKill - wallAtStart, statements);
        Console.WriteLine($"loadavg after {LoadAverage()}");
        work.Delete(recursive: true);
    }

    private static void Report(
        int devices,
        DateTime started,
        DateTime killed,
        string recordFile,
        List<(Guid Device, Guid Owner)> heldBefore,
        Guid victim,
        List<Child> monitors,
        string?[] statsAtKill,
        TimeSpan[] cpuAtStart,
        TimeSpan[] cpuAtKill,
        TimeSpan wall,
        List<(string Query, long Calls)> statements)
    {
        // The record: the first read of a poll (the lowest address each device is read at) marks the poll.
        var polls = new Dictionary<(int Port, int Unit), List<DateTime>>();
        var requests = 0L;
        var lowest = new Dictionary<(int, int), int>();
        var lines = File.ReadLines(recordFile).Where(l => !l.StartsWith('#') && l.EndsWith('\n') is false && l.Length > 0).Select(l => l.Split('\t')).Where(f => f.Length == 8).ToList();
        foreach (var f in lines)
        {
            var key = (int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture));
            var address = int.Parse(f[6], CultureInfo.InvariantCulture);
            lowest[key] = lowest.TryGetValue(key, out var a) ? Math.Min(a, address) : address;
        }

        foreach (var f in lines)
        {
            requests++;
            var key = (int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture));
            if (int.Parse(f[6], CultureInfo.InvariantCulture) == lowest[key])
            {
                (polls.TryGetValue(key, out var list) ? list : polls[key] = []).Add(DateTime.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
            }
        }

        Console.WriteLine($"record: {requests} requests, {polls.Values.Sum(p => p.Count)} polls of {polls.Count} of {devices} devices");

        // Polled once per interval: each device's intervals on the grid of its first poll, half an interval either side,
        // from its first poll to the last whole interval of the run; the kill's intervals separately.
        var ends = polls.Values.SelectMany(p => p).DefaultIfEmpty(started).Max();
        int once = 0, missed = 0, twice = 0, onceAfter = 0, missedAfter = 0, twiceAfter = 0;
        var firstPolls = polls.Values.Select(p => p.Min()).Order().ToList();
        foreach (var times in polls.Values)
        {
            times.Sort();
            var first = times[0];
            for (var k = 1; first + (Interval * (k + 0.5)) <= ends; k++)
            {
                var from = first + (Interval * (k - 0.5));
                var to = first + (Interval * (k + 0.5));
                var count = times.Count(t => t >= from && t < to);
                var afterKill = to > killed;
                if (count == 0)
                {
                    _ = afterKill ? missedAfter++ : missed++;
                }
                else if (count == 1)
                {
                    _ = afterKill ? onceAfter++ : once++;
                }
                else
                {
                    _ = afterKill ? twiceAfter++ : twice++;
                }
            }
        }

        Console.WriteLine($"first polls: 10% by {Percentile(firstPolls, 0.1, started):F1} s, 50% by {Percentile(firstPolls, 0.5, started):F1} s, 100% by {Percentile(firstPolls, 1.0, started):F1} s after the monitors started; {devices - polls.Count} never polled");
        Console.WriteLine($"intervals before the kill: {once} polled once, {missed} missed, {twice} twice or more ({Share(once, once + missed + twice)} once)");
        Console.WriteLine($"intervals after the kill:  {onceAfter} polled once, {missedAfter} missed, {twiceAfter} twice or more ({Share(onceAfter, onceAfter + missedAfter + twiceAfter)} once)");

        // Failover: every device the victim held, polled again after the kill.
        var orphans = heldBefore.Where(h => h.Owner == victim).Select(h => h.Device).ToHashSet();
        var addressOf = new Dictionary<Guid, (int, int)>();
        foreach (var (device, port, unit) in AddressesAsync(Environment.GetEnvironmentVariable("FLUX_FLEET_STORE_USED")!).GetAwaiter().GetResult())
        {
            addressOf[device] = (port, unit);
        }

        var repolled = orphans.Select(d => addressOf.TryGetValue(d, out var a) && polls.TryGetValue(a, out var p) ? p.Where(t => t > killed).DefaultIfEmpty(DateTime.MaxValue).Min() : DateTime.MaxValue).ToList();
        var notAgain = repolled.Count(t => t == DateTime.MaxValue);
        var lastAgain = repolled.Where(t => t != DateTime.MaxValue).DefaultIfEmpty(killed).Max();
        Console.WriteLine($"failover: {orphans.Count} devices of the killed monitor; all but {notAgain} polled by the others within {(lastAgain - killed).TotalSeconds:F1} s of the kill " +
            $"(half within {Percentile(repolled.Where(t => t != DateTime.MaxValue).Order().ToList(), 0.5, killed):F1} s)");

        // CPU per 1,000 devices held, before the kill.
        var held = heldBefore.GroupBy(h => h.Owner).ToDictionary(g => g.Key, g => g.Count());
        for (var i = 0; i < monitors.Count; i++)
        {
            var cpu = (cpuAtKill[i] - cpuAtStart[i]) / wall;
            var count = monitors[i].Instance is { } id && held.TryGetValue(id, out var c) ? c : 0;
            Console.WriteLine($"{monitors[i].Name}: held {count} devices, CPU {cpu * 100:F1}% of a core ({(count == 0 ? 0 : cpu * 100 * 1000 / count):F2}% per 1,000 devices) over {wall.TotalSeconds:F0} s; {statsAtKill[i]}");
        }

        Console.WriteLine("PostgreSQL statements of the fleet's database (pg_stat_statements, calls):");
        foreach (var (query, calls) in statements)
        {
            Console.WriteLine($"  {calls,9}  {OneLine(query)}");
        }
    }

    /// <summary>The monitor process: the library's health monitor with leases on the fleet's database until stdin closes.</summary>
    public static async Task RunMonitorAsync(string[] args)
    {
        var name = args[1];
        var store = Environment.GetEnvironmentVariable("FLUX_FLEET_STORE")!;
        var counting = new CommandCounter();
        using var listener = counting.Listen();
        var services = new ServiceCollection();
        services.AddFluxDevices()
            .UsePostgres(store)
            .UseModbusTcp()
            .AddHealthMonitor(o =>
            {
                o.Leases.Enabled = true;
                o.Leases.InstanceName = name;
            });
        services.AddSingleton<IDeviceLeaseStore>(sp => new CountingLeaseStore((IDeviceLeaseStore)sp.GetRequiredService<IDeviceStore>(), counting));
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IDeviceHealthMonitor>();
        using var stop = new CancellationTokenSource();
        var stopping = Stopwatch.StartNew();
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync();
            stopping.Restart();
            Console.Error.WriteLine("stopping: stdin closed");
            await stop.CancelAsync();
        });
        var running = monitor.RunAsync(stop.Token);
        var found = WaitForInstanceAsync(provider, name);
        if (await Task.WhenAny(running, found) == running)
        {
            await running; // it failed at start: the exception says why
        }

        var instance = await found;
        Console.WriteLine($"running {instance}");
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5)));
            Console.WriteLine($"stats renewals={counting.Renewals} renewCommands={counting.RenewCommands} claims={counting.Claims} claimCommands={counting.ClaimCommands} commands={counting.Commands} held={counting.Held}");
        }

        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }

        Console.Error.WriteLine($"stopping: the monitor's loop ended {stopping.Elapsed.TotalSeconds:F1} s after stdin closed (leases given back)");
    }

    private static async Task<Guid> WaitForInstanceAsync(ServiceProvider provider, string name)
    {
        var leases = (IDeviceLeaseStore)provider.GetRequiredService<IDeviceStore>();
        while (true)
        {
            if ((await leases.ListInstancesAsync()).FirstOrDefault(i => i.Name == name) is { } found)
            {
                return found.Id;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Time to fair share: the leases held per live owner, read every second, until every device is held by one of the
    /// three monitors and none holds more than ⌈1.1 × share⌉ (the documented bound).
    /// </summary>
    private static async Task<string> FairShareAsync(string store, int devices, DateTime started, CancellationToken cancellationToken)
    {
        var most = (int)Math.Ceiling(devices / (double)Monitors * 1.1);
        var withinBound = (DateTime?)null;
        var counts = new List<int>();
        try
        {
            while (true)
            {
                counts = [.. (await HeldAsync(store)).GroupBy(h => h.Owner).Select(g => g.Count()).OrderDescending()];
                if (withinBound is null && counts.Count == Monitors && counts.Sum() == devices && counts.Max() <= most)
                {
                    withinBound = DateTime.UtcNow;
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return withinBound is { } at
            ? $"fair share: every device held, each monitor at most ⌈1.1 × share⌉ = {most}, by {(at - started).TotalSeconds:F1} s after the monitors started (held {string.Join(" / ", counts)})"
            : $"fair share: not reached before the kill (held {string.Join(" / ", counts)}; bound {most})";
    }

    private static async Task<List<(Guid Device, Guid Owner)>> HeldAsync(string store)
    {
        Environment.SetEnvironmentVariable("FLUX_FLEET_STORE_USED", store);
        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        var schema = await SchemaAsync(connection);
        await using var command = new NpgsqlCommand($"SELECT device_id, owner FROM {schema}.device_leases WHERE expires_at > now()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var held = new List<(Guid, Guid)>();
        while (await reader.ReadAsync())
        {
            held.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }

        return held;
    }

    private static async Task<List<(Guid Device, int Port, int Unit)>> AddressesAsync(string store)
    {
        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        var schema = await SchemaAsync(connection);
        await using var command = new NpgsqlCommand($"SELECT id, (metadata->>'port')::int, (metadata->>'modbus_address')::int FROM {schema}.mg_device_registry", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<(Guid, int, int)>();
        while (await reader.ReadAsync())
        {
            list.Add((reader.GetGuid(0), reader.GetInt32(1), reader.GetInt32(2)));
        }

        return list;
    }

    private static async Task<string> SchemaAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT table_schema FROM information_schema.tables WHERE table_name = 'device_leases' LIMIT 1", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static Child Start(string file, string[] arguments, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new Child(Process.Start(info)!, arguments.Length > 2 && arguments[1] == "fleet-monitor" ? arguments[2] : "simulator");
    }

    /// <summary>User and system CPU time of a process, from /proc (clock ticks of 10 ms).</summary>
    private static TimeSpan Cpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromMilliseconds((long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10);
    }

    private static void Signal(int pid, string signal) => Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

    private static async Task Exec(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static double Percentile(List<DateTime> sorted, double p, DateTime from) =>
        sorted.Count == 0 ? double.NaN : (sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)] - from).TotalSeconds;

    private static string Share(int part, int whole) => whole == 0 ? "-" : $"{100.0 * part / whole:F2}%";

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split((char[])['\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 150 ? line[..150] + "..." : line;
    }

    private static int Arg(string[] args, int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    /// <summary>A child process whose stdout lines are watched (the last "stats" line kept) and whose stderr is echoed.</summary>
    private sealed class Child : IDisposable
    {
        private readonly ConcurrentQueue<(Func<string, bool> Match, TaskCompletionSource Done)> _waits = new();
        private readonly ConcurrentQueue<string> _lines = new();

        public Child(Process process, string name)
        {
            Process = process;
            Name = name;
            process.OutputDataReceived += (_, e) => OnLine(e.Data);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line && (line.Contains("fail", StringComparison.OrdinalIgnoreCase) || line.Contains("exception", StringComparison.OrdinalIgnoreCase) || line.StartsWith("<3>", StringComparison.Ordinal) || line.StartsWith("<2>", StringComparison.Ordinal)))
                {
                    Console.Error.WriteLine($"[{Name}] {line}");
                }

                if (e.Data is not null)
                {
                    File.AppendAllText(Path.Combine(Path.GetTempPath(), $"flux-fleet-{Name}.log"), e.Data + "\n");
                }

                OnLine(e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Name { get; }

        public Guid? Instance { get; private set; }

        public string? LastStats { get; private set; }

        public Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Enqueue((match, done));
            if (_lines.Any(match))
            {
                done.TrySetResult(); // it came before the wait
            }

            return done.Task.WaitAsync(timeout);
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            Process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            _lines.Enqueue(line);
            if (line.StartsWith("running ", StringComparison.Ordinal))
            {
                Instance = Guid.Parse(line["running ".Length..]);
            }
            else if (line.StartsWith("stats ", StringComparison.Ordinal))
            {
                LastStats = line["stats ".Length..];
            }

            foreach (var wait in _waits)
            {
                if (wait.Match(line))
                {
                    wait.Done.TrySetResult();
                }
            }
        }
    }

    /// <summary>Counts Npgsql's commands (each a round trip, a batch one) overall and within lease renewals and claims.</summary>
    private sealed class CommandCounter
    {
        private static readonly AsyncLocal<StrongBox?> Current = new();
        private long _commands;

        public long Renewals;
        public long RenewCommands;
        public long Claims;
        public long ClaimCommands;
        public int Held;

        public long Commands => Interlocked.Read(ref _commands);

        public ActivityListener Listen()
        {
            var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref _) => ActivitySamplingResult.AllData,
                ActivityStarted = _ =>
                {
                    Interlocked.Increment(ref _commands);
                    if (Current.Value is { } box)
                    {
                        Interlocked.Increment(ref box.Count);
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);
            return listener;
        }

        public async ValueTask<T> CountAsync<T>(Func<ValueTask<T>> call, Action<long> add)
        {
            var box = new StrongBox();
            Current.Value = box;
            try
            {
                return await call();
            }
            finally
            {
                Current.Value = null;
                add(box.Count);
            }
        }

        public sealed class StrongBox
        {
            public long Count;
        }
    }

    private sealed class CountingLeaseStore(IDeviceLeaseStore inner, CommandCounter counter) : IDeviceLeaseStore
    {
        public async ValueTask<DeviceLeaseRenewal> RenewAsync(MonitorInstance instance, TimeSpan leaseTime, CancellationToken cancellationToken = default)
        {
            var renewal = await counter.CountAsync(() => inner.RenewAsync(instance, leaseTime, cancellationToken), n =>
            {
                Interlocked.Increment(ref counter.Renewals);
                Interlocked.Add(ref counter.RenewCommands, n);
            });
            counter.Held = renewal.Held.Count;
            return renewal;
        }

        public ValueTask<IReadOnlyList<DeviceLease>> ClaimAsync(Guid instanceId, DeviceFilter scope, int limit, TimeSpan leaseTime, CancellationToken cancellationToken = default) =>
            counter.CountAsync(() => inner.ClaimAsync(instanceId, scope, limit, leaseTime, cancellationToken), n =>
            {
                Interlocked.Increment(ref counter.Claims);
                Interlocked.Add(ref counter.ClaimCommands, n);
            });

        public ValueTask<int> ReleaseAsync(Guid instanceId, IReadOnlyCollection<Guid>? deviceIds, CancellationToken cancellationToken = default) => inner.ReleaseAsync(instanceId, deviceIds, cancellationToken);

        public ValueTask StopInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default) => inner.StopInstanceAsync(instanceId, cancellationToken);

        public ValueTask<IReadOnlyList<MonitorInstanceStatus>> ListInstancesAsync(CancellationToken cancellationToken = default) => inner.ListInstancesAsync(cancellationToken);
    }
}
