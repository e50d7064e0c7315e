using System.CommandLine;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Text;
using Flux.Devices.Health;
using Flux.Devices.Maintenance;
using Flux.Devices.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux monitor [--name NAME] [--filter FILTER]</c>: the long-running service. It runs the health monitor on
/// <c>--store</c> (polling every device on its template's interval, writing health samples and telemetry, moving
/// lifecycles, as the hosted service of <c>AddHealthMonitor</c> does) until SIGTERM or SIGINT, for systemd:
/// <list type="bullet">
/// <item>logs go to stderr, one line each, with the systemd console formatter (<c>&lt;6&gt;category[event] message</c>:
/// journald reads the <c>&lt;N&gt;</c> as the line's priority), notifications among them;</item>
/// <item>SIGTERM or SIGINT stops it cleanly (polls under way are cancelled, waiting samples are written) and it exits 0;
/// a second signal ends it at once;</item>
/// <item>with <c>$NOTIFY_SOCKET</c> (a <c>Type=notify</c> unit) it sends <c>READY=1</c> once polling has started and
/// <c>STOPPING=1</c> when asked to stop;</item>
/// <item>exit codes: 0 stopped by a signal, 1 a runtime failure (the store unreachable at start, the polling loop
/// failing; logged as critical), 2 bad usage or configuration (one plain <c>flux: ...</c> line naming the option).</item>
/// </list>
/// </summary>
internal static partial class MonitorCommand
{
    /// <summary>The longest instance name.</summary>
    public const int MaxNameLength = 63;

    /// <summary>The log category of the command's own lines.</summary>
    public const string LogCategory = "Flux.Devices.Cli.Monitor";

    public static Command Build(Cli cli)
    {
        var name = new Option<string?>("--name")
        {
            Description = $"This instance's name, in its logs and among the live instances (flux monitor status): 1 to {MaxNameLength} letters, digits, '.', '_' or '-'. [default: the host's name]",
        };
        var filter = new Option<string?>("--filter")
        {
            Description = "The devices this instance is for, such as \"site=WLCE\" (the filter of devices list); with leases, the only devices it claims. [default: every device]",
        };
        var leaseTime = new Option<string?>("--lease-time")
        {
            Description = $"How long a device's lease (and this instance's heartbeat) lasts after each renewal, renewed every third of it: 1s to 1h (30s, 2m). If this instance dies, others poll its devices within twice this. Asks for leases. [default: {DurationText.FormatCompact(DefaultLeaseTime)}]",
            HelpName = "duration",
        };
        var noLeases = new Option<bool>("--no-leases")
        {
            Description = "On PostgreSQL, poll every device of --filter without leases: for a single monitor only (two would both poll every device).",
        };
        var monitor = new Command("monitor", "Run the health monitor as a service until SIGTERM or Ctrl+C: poll the devices on their interval, logging to stderr for journald. On PostgreSQL, several instances share the devices with leases.") { name, filter, leaseTime, noLeases };
        var tlsFiles = TransportOptions.AddFilesTo(monitor);
        monitor.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var instance = InstanceName(result.GetValue(name));
            var scope = Scope(result.GetValue(filter));
            var lease = LeaseTime(result.GetValue(leaseTime));
            if (lease is not null && result.GetValue(noLeases))
            {
                throw new UsageException("--lease-time and --no-leases: give one or the other.");
            }

            var leases = result.GetValue(noLeases) ? (bool?)false : lease is null ? null : true;
            var tls = tlsFiles.ReadFiles(result);
            return await RunAsync(cli, result, instance, scope is null ? null : result.GetValue(filter)!.Trim(), leases, lease ?? DefaultLeaseTime, tls, token);
        }, token));
        monitor.Subcommands.Add(BuildStatus(cli));
        return monitor;
    }

    /// <summary>
    /// <c>flux monitor status</c>: the live monitor instances on a store that keeps leases (PostgreSQL), from
    /// <see cref="Storage.IDeviceLeaseStore.ListInstancesAsync"/>: name, id, devices held, last heartbeat, scope.
    /// </summary>
    private static Command BuildStatus(Cli cli)
    {
        var status = new Command("status", "List the live monitor instances sharing the store's devices with leases (PostgreSQL): name, id, devices held, last heartbeat, scope.");
        status.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            if (!cli.IsPostgresStore(result))
            {
                throw new UsageException("monitor status: the store keeps no leases (SQLite serves one monitor): give a PostgreSQL --store, where monitors share the devices with leases.");
            }

            await using var registry = await cli.OpenAsync(result, token);
            var leaseStore = registry.Services.GetService<Storage.IDeviceLeaseStore>()
                ?? throw new UsageException("monitor status: the store keeps no leases: give a PostgreSQL --store.");
            var instances = await leaseStore.ListInstancesAsync(token);
            if (output.IsJson)
            {
                await output.WriteJsonAsync(instances.Select(i => new
                {
                    name = i.Name,
                    id = i.Id,
                    devices = i.DevicesHeld,
                    heartbeat_at = i.HeartbeatAt,
                    expires_at = i.ExpiresAt,
                    started_at = i.StartedAt,
                    scope = i.Filter,
                }).ToList());
            }
            else
            {
                var grid = new Grid("NAME", "ID", "DEVICES", "LAST HEARTBEAT", "SCOPE");
                foreach (var i in instances)
                {
                    grid.Add(i.Name, i.Id.ToString(), i.DevicesHeld.ToString(System.Globalization.CultureInfo.InvariantCulture), i.HeartbeatAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), i.Filter ?? "(every device)");
                }

                await output.WriteAsync(grid);
            }

            if (instances.Count == 0)
            {
                await output.StatusAsync("No live monitor instance: start one with `flux monitor --store ...`.");
            }

            return FluxCli.Ok;
        }, token));
        return status;
    }

    /// <summary>The library's default lease time (<see cref="DeviceLeaseOptions.LeaseTime"/>).</summary>
    public static TimeSpan DefaultLeaseTime { get; } = new DeviceLeaseOptions().LeaseTime;

    /// <summary>Parses <c>--lease-time</c>: <see langword="null"/> when not given.</summary>
    /// <exception cref="UsageException">It is not a duration from 1 second to 1 hour.</exception>
    public static TimeSpan? LeaseTime(string? given)
    {
        if (given is null)
        {
            return null;
        }

        if (!DurationText.TryParse(given, out var time) || time < TimeSpan.FromSeconds(1) || time > TimeSpan.FromHours(1))
        {
            throw new UsageException($"--lease-time '{given}': a lease time is a duration from 1s to 1h (30s, 2m).");
        }

        return time;
    }

    /// <summary>Checks <c>--name</c>, or makes the default from the host's name.</summary>
    /// <exception cref="UsageException">The name is not 1 to 63 letters, digits, '.', '_' or '-'.</exception>
    public static string InstanceName(string? given)
    {
        if (given is null)
        {
            var host = new string([.. Environment.MachineName.Select(c => IsNameCharacter(c) ? c : '-')]);
            return host.Length == 0 ? "flux-monitor" : host[..Math.Min(host.Length, MaxNameLength)];
        }

        if (given.Length is 0 or > MaxNameLength || !given.All(IsNameCharacter))
        {
            throw new UsageException($"--name '{given}': an instance name is 1 to {MaxNameLength} letters, digits, '.', '_' or '-'.");
        }

        return given;
    }

    /// <summary>Parses <c>--filter</c>: <see langword="null"/> when not given.</summary>
    /// <exception cref="UsageException">It is empty or malformed.</exception>
    public static DeviceFilter? Scope(string? given)
    {
        if (given is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(given))
        {
            throw new UsageException("--filter is empty: give the devices this monitor is for (\"site=WLCE\"), or leave it out for every device.");
        }

        try
        {
            return DeviceFilter.Parse(given);
        }
        catch (DeviceFilterException ex)
        {
            throw new UsageException($"--filter '{given}': {ex.Message}", ex);
        }
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    private static async Task<int> RunAsync(Cli cli, ParseResult result, string instance, string? scope, bool? leasesAsked, TimeSpan leaseTime, Modbus.ModbusTlsOptions? tls, CancellationToken cancellationToken)
    {
        // Leases: on by default on PostgreSQL (the store that keeps them), off elsewhere; asked for on SQLite (--lease-time),
        // the library refuses the start, which is bad configuration (exit 2).
        var leases = leasesAsked ?? cli.IsPostgresStore(result);
        using var logging = CreateLogging();
        var log = logging.CreateLogger(LogCategory);
        try
        {
            await using var registry = await cli.OpenAsync(
                result,
                cancellationToken,
                builder => builder.Services.AddSingleton<IMeterFactory, Meters>().AddSingleton(logging).AddSingleton(typeof(ILogger<>), typeof(Logger<>)).Configure<DeviceHealthOptions>(o =>
                {
                    o.Scope = scope;
                    o.Leases.Enabled = leases;
                    o.Leases.InstanceName = instance;
                    o.Leases.LeaseTime = leaseTime;
                    o.Leases.RenewInterval = leaseTime / 3; // the library's ratio (30s / 10s)
                }),
                tls: tls,
                notifier: new LogNotifier(logging.CreateLogger("Flux.Devices.Notifications")));
            IDeviceHealthMonitor monitor;
            try
            {
                monitor = registry.Get<IDeviceHealthMonitor>();
            }
            catch (OptionsValidationException ex)
            {
                throw new UsageException($"{(leasesAsked == true ? "--lease-time" : "flux monitor")}: {OneLine(ex.Message)}", ex);
            }

            var scoped = scope is null ? null : DeviceFilter.Parse(scope);
            var pollable = (await registry.Registry.ListAsync(new DeviceFilter { Active = true, States = [DeviceState.Configured, DeviceState.Testing, DeviceState.Active, DeviceState.Failed] }, cancellationToken))
                .Count(d => scoped is null || scoped.Matches(d));
            Started(log, instance, cli.DescribeStore(result), pollable, scope ?? "every device", leases ? $"leases of {DurationText.FormatCompact(leaseTime)}" : "no leases");
            using var fenced = FencedWrites.Listen(log, instance);
            var running = monitor.RunAsync(cancellationToken);
            await SystemdNotifyAsync(cli, log, "READY=1");
            try
            {
                await running;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped by a signal: the monitor has written what it had and, with leases, given them back.
            }

            await SystemdNotifyAsync(cli, log, "STOPPING=1");
            Stopped(log, instance);
            return FluxCli.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A signal while starting (opening the store): a clean stop all the same.
            StoppedWhileStarting(log, instance);
            return FluxCli.Ok;
        }
        catch (Exception ex) when (ex is not (UsageException or DeviceFilterException or ArgumentException))
        {
            Failed(log, ex, instance, OneLine(ex.Message));
            return FluxCli.Failed;
        }
    }

    /// <summary>
    /// Logs to stderr with the systemd console formatter: one line per entry, prefixed with its syslog priority, no
    /// timestamp (journald stamps each line), no colour.
    /// </summary>
    private static ILoggerFactory CreateLogging() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddSystemdConsole(o =>
        {
            o.IncludeScopes = false;
            o.UseUtcTimestamp = true;
        })
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Npgsql", LogLevel.Warning) // Npgsql logs every command at Information
        .Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

    /// <summary>Tells systemd the service's state (sd_notify), when it gave <c>$NOTIFY_SOCKET</c>; a failure is logged, never fatal.</summary>
    private static async Task SystemdNotifyAsync(Cli cli, ILogger log, string state)
    {
        var path = cli.Console.Variable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        try
        {
            // An abstract socket is given as @name.
            var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            await socket.SendToAsync(Encoding.UTF8.GetBytes(state), SocketFlags.None, endpoint);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            NotifyFailed(log, state, path, ex.Message);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "flux monitor {Instance} started on {Store}: {Count} device(s) to poll ({Scope}, {Leases}).")]
    private static partial void Started(ILogger log, string instance, string store, int count, string scope, string leases);

    [LoggerMessage(2, LogLevel.Information, "flux monitor {Instance} stopped.")]
    private static partial void Stopped(ILogger log, string instance);

    [LoggerMessage(3, LogLevel.Information, "flux monitor {Instance} stopped while starting.")]
    private static partial void StoppedWhileStarting(ILogger log, string instance);

    [LoggerMessage(4, LogLevel.Critical, "flux monitor {Instance} failed: {Reason}")]
    private static partial void Failed(ILogger log, Exception exception, string instance, string reason);

    [LoggerMessage(5, LogLevel.Warning, "flux monitor {Instance}: the store refused {Count} write(s) fenced by leases this instance lost ({Total} in all); nothing of them was stored.")]
    private static partial void WritesFenced(ILogger log, string instance, long count, long total);

    [LoggerMessage(6, LogLevel.Warning, "Could not notify systemd ({State}) at NOTIFY_SOCKET {Path}: {Reason}")]
    private static partial void NotifyFailed(ILogger log, string state, string path, string reason);

    [LoggerMessage(EventId = 7, Message = "{Kind}: {Message}")]
    private static partial void Notified(ILogger log, LogLevel level, NotificationKind kind, string message);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Notifications as log entries: information, warning, or error for a critical one.</summary>
    private sealed class LogNotifier(ILogger log) : INotifier
    {
        public ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default)
        {
            var level = notification.Severity switch
            {
                NotificationSeverity.Information => LogLevel.Information,
                NotificationSeverity.Warning => LogLevel.Warning,
                _ => LogLevel.Error,
            };
            var message = OneLine(notification.Message);
            Notified(log, level, notification.Kind, message);

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Logs the library's <c>flux.devices.leases.fenced_writes</c> measurements (samples, readings and lifecycle moves the
    /// store refused because their lease token was no longer current) as warnings with the running total, so that an
    /// operator reading the journal sees them without a metrics pipeline.
    /// </summary>
    private sealed class FencedWrites : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        private FencedWrites(ILogger log, string instance)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Diagnostics.FluxDevicesDiagnostics.MeterName && instrument.Name == "flux.devices.leases.fenced_writes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, count, _, _) => WritesFenced(log, instance, count, Interlocked.Add(ref _total, count)));
            _listener.Start();
        }

        public static FencedWrites Listen(ILogger log, string instance) => new(log, instance);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The monitor's meters (the library's metrics are off without a factory): what <see cref="FencedWrites"/> listens to.</summary>
    private sealed class Meters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
                _meters.Clear();
            }
        }
    }
}
