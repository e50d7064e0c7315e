using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using Flux.Devices.Health;
using Flux.Devices.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

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
            Description = $"This instance's name, in its logs (and, with leases, among the live instances): 1 to {MaxNameLength} letters, digits, '.', '_' or '-'. [default: the host's name]",
        };
        var filter = new Option<string?>("--filter")
        {
            Description = "The devices this instance is for, such as \"site=WLCE\" (the filter of devices list). [default: every device]",
        };
        var monitor = new Command("monitor", "Run the health monitor as a service until SIGTERM or Ctrl+C: poll every device on its interval, logging to stderr for journald.") { name, filter };
        var tlsFiles = TransportOptions.AddFilesTo(monitor);
        monitor.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var instance = InstanceName(result.GetValue(name));
            var scope = Scope(result.GetValue(filter));
            var tls = tlsFiles.ReadFiles(result);
            return await RunAsync(cli, result, instance, scope is null ? null : result.GetValue(filter), tls, token);
        }, token));
        return monitor;
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

    private static async Task<int> RunAsync(Cli cli, ParseResult result, string instance, string? scope, Modbus.ModbusTlsOptions? tls, CancellationToken cancellationToken)
    {
        using var logging = CreateLogging();
        var log = logging.CreateLogger(LogCategory);
        try
        {
            await using var registry = await cli.OpenAsync(
                result,
                cancellationToken,
                builder => builder.Services.AddSingleton(logging).AddSingleton(typeof(ILogger<>), typeof(Logger<>)),
                tls: tls,
                notifier: new LogNotifier(logging.CreateLogger("Flux.Devices.Notifications")));
            var monitor = registry.Get<IDeviceHealthMonitor>();

            // HOOK (issue 15, leases): --filter is parsed and checked here, but the health monitor polls every device the
            // registry polls; limiting it (claiming only the matching devices' leases) comes with the lease options of the
            // monitor. Until then a scope is only logged, so that a unit file written for it already runs.
            if (scope is not null)
            {
                FilterNotApplied(log, scope);
            }

            var pollable = await registry.Registry.ListAsync(new DeviceFilter { Active = true, States = [DeviceState.Configured, DeviceState.Testing, DeviceState.Active, DeviceState.Failed] }, cancellationToken);
            Started(log, instance, cli.DescribeStore(result), pollable.Count);
            var running = monitor.RunAsync(cancellationToken);
            await SystemdNotifyAsync(cli, log, "READY=1");
            try
            {
                await running;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped by a signal: the monitor has written what it had.
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

    [LoggerMessage(1, LogLevel.Information, "flux monitor {Instance} started on {Store}: {Count} device(s) to poll.")]
    private static partial void Started(ILogger log, string instance, string store, int count);

    [LoggerMessage(2, LogLevel.Information, "flux monitor {Instance} stopped.")]
    private static partial void Stopped(ILogger log, string instance);

    [LoggerMessage(3, LogLevel.Information, "flux monitor {Instance} stopped while starting.")]
    private static partial void StoppedWhileStarting(ILogger log, string instance);

    [LoggerMessage(4, LogLevel.Critical, "flux monitor {Instance} failed: {Reason}")]
    private static partial void Failed(ILogger log, Exception exception, string instance, string reason);

    [LoggerMessage(5, LogLevel.Warning, "--filter {Filter} is accepted but not applied yet: this instance polls every device (scoping comes with leases).")]
    private static partial void FilterNotApplied(ILogger log, string? filter);

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
}
