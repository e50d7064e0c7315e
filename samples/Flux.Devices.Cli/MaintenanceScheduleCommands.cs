using System.CommandLine;
using System.Globalization;
using Flux.Devices.Maintenance;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices maintenance schedule DEVICE --at TIME --duration 2h [--reason R]</c>, <c>list [DEVICE]</c>,
/// <c>cancel ID</c> and <c>run</c>: scheduled maintenance windows, kept in the store. A CLI call only schedules, lists
/// and cancels; the windows start and end in a long-running host with <c>AddMaintenanceSchedule()</c>, or each time
/// <c>flux devices maintenance run</c> is called (from a timer).
/// </summary>
internal static class MaintenanceScheduleCommands
{
    private const string Actor = "flux";

    public static IEnumerable<Command> Build(Cli cli, Argument<string> device)
    {
        var at = new Option<string>("--at") { Description = "When it starts: a time (2024-01-01T08:00:00Z) or a duration from now (30m, 2h).", Required = true };
        var duration = new Option<string>("--duration") { Description = "How long it lasts: 2h, 90m, PT2H.", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (sent with the notifications and kept in the history). [default: Scheduled maintenance]" };
        var schedule = new Command("schedule", "Schedule a maintenance window: the device enters maintenance at its start and leaves it at its end, by itself.") { device, at, duration, reason };
        schedule.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var durationText = result.GetValue(duration)!;
            var length = DurationText.TryParse(durationText, out var parsed) && parsed > TimeSpan.Zero
                ? parsed
                : throw new UsageException($"--duration '{durationText}': not a duration longer than zero (2h, 90m, PT2H).");
            await using var registry = await cli.OpenAsync(result, token);
            var now = registry.Get<TimeProvider>().GetUtcNow();
            var atText = result.GetValue(at)!;
            var start = When(atText, now);
            var found = await registry.FindAsync(result.GetValue(device)!, token);
            MaintenanceWindow window;
            try
            {
                window = await registry.Get<IMaintenanceScheduler>().ScheduleAsync(found.Id, start, length, result.GetValue(reason), Actor, token);
            }
            catch (DeviceValidationException ex) when (ex is not MaintenanceWindowOverlapException && ex.Errors.Any(e => e.Field == "start"))
            {
                throw new UsageException($"--at '{atText}': {Time(start)} is in the past (now {Time(now)}); a window starts now or later.", ex);
            }

            await (output.IsJson ? output.WriteJsonAsync(Json(window, found.Name)) : output.WriteAsync(Windows([window], _ => found.Name)));
            await output.StatusAsync($"Scheduled: {found.Name} enters maintenance at {Time(window.Start)} and leaves it at {Time(window.End)}, in a process that runs the schedule (a host with AddMaintenanceSchedule(), or 'flux devices maintenance run').");
            return FluxCli.Ok;
        }, token));

        var optionalDevice = new Argument<string?>("device") { Description = "Only this device's windows (name or id).", Arity = ArgumentArity.ZeroOrOne };
        var open = new Option<bool>("--open") { Description = "Only windows still to run or running (scheduled, in progress)." };
        var list = new Command("list", "List maintenance windows by start: scheduled, in progress, completed, skipped (with why) and cancelled.") { optionalDevice, open };
        list.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            await using var registry = await cli.OpenAsync(result, token);
            Guid? only = result.GetValue(optionalDevice) is { } typed ? (await registry.FindAsync(typed, token)).Id : null;
            var windows = await registry.Get<IMaintenanceScheduler>().ListAsync(only, result.GetValue(open), token);
            var names = new Dictionary<Guid, string>();
            foreach (var id in windows.Select(w => w.DeviceId).Distinct())
            {
                names[id] = (await registry.Registry.GetAsync(id, token))?.Name ?? id.ToString();
            }

            await (output.IsJson ? output.WriteJsonAsync(windows.Select(w => Json(w, names[w.DeviceId]))) : output.WriteAsync(Windows(windows, id => names[id])));
            return FluxCli.Ok;
        }, token));

        var id = new Argument<string>("id") { Description = "The window's id (from 'maintenance list')." };
        var cancel = new Command("cancel", "Cancel a maintenance window that has not started.") { id };
        cancel.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var text = result.GetValue(id)!;
            var windowId = Guid.TryParse(text, out var g) ? g : throw new UsageException($"maintenance cancel '{text}': not a window id (such as 3f2b...-...; see 'flux devices maintenance list').");
            await using var registry = await cli.OpenAsync(result, token);
            var window = await registry.Get<IMaintenanceScheduler>().CancelAsync(windowId, Actor, token);
            var name = (await registry.Registry.GetAsync(window.DeviceId, token))?.Name ?? window.DeviceId.ToString();
            await (output.IsJson ? output.WriteJsonAsync(Json(window, name)) : output.WriteAsync(Windows([window], _ => name)));
            return FluxCli.Ok;
        }, token));

        var run = new Command("run", "Start and end the maintenance windows that are due, once (what AddMaintenanceSchedule() does every 30 seconds in a host); for a timer.");
        run.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            await using var registry = await cli.OpenAsync(result, token);
            var moved = await registry.Get<IMaintenanceScheduler>().RunDueAsync(token);
            await cli.OutputFor(result).StatusAsync(string.Create(CultureInfo.InvariantCulture, $"{moved} maintenance window(s) started, ended or skipped."));
            return FluxCli.Ok;
        }, token));

        return [schedule, list, cancel, run];
    }

    /// <summary>A time, or a duration from now.</summary>
    private static DateTimeOffset When(string text, DateTimeOffset now)
    {
        if (DurationText.TryParse(text, out var ahead))
        {
            return now + ahead;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new UsageException($"--at '{text}': not a time (2024-01-01T08:00:00Z) or a duration from now (30m, 2h).");
    }

    internal static Grid Windows(IEnumerable<MaintenanceWindow> windows, Func<Guid, string> name)
    {
        var grid = new Grid("ID", "DEVICE", "START", "END", "DURATION", "STATUS", "REASON", "NOTE");
        foreach (var w in windows)
        {
            grid.Add(w.Id.ToString(), name(w.DeviceId), Time(w.Start), Time(w.End), DurationText.FormatCompact(w.Duration), Storage.EnumText.Name(w.Status), w.Reason, w.Note ?? string.Empty);
        }

        return grid;
    }

    private static object Json(MaintenanceWindow w, string deviceName) => new
    {
        id = w.Id,
        device_id = w.DeviceId,
        device = deviceName,
        start = w.Start,
        end = w.End,
        duration = DurationText.Format(w.Duration),
        status = Storage.EnumText.Name(w.Status),
        reason = w.Reason,
        actor = w.Actor,
        note = w.Note,
        created_at = w.CreatedAt,
    };

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
