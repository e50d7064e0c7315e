using Flux.Devices.Diagnostics;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Maintenance;

/// <summary>
/// The windows of <see cref="IMaintenanceScheduler"/> in the store, run through <see cref="IMaintenanceService"/>. Each
/// move of a window is claimed in the store first (compare-and-set on its status), so that of two schedulers running
/// the same window only one moves the device.
/// </summary>
internal sealed partial class MaintenanceScheduler(
    IMaintenanceScheduleStore store,
    IDeviceRegistry registry,
    IMaintenanceService maintenance,
    TimeProvider time,
    ILoggerFactory? loggerFactory = null) : IMaintenanceScheduler
{
    /// <summary>The actor of the history entries of a window that has none.</summary>
    public const string ScheduleActor = "maintenance-schedule";

    /// <summary>The reason of a window scheduled without one.</summary>
    public const string DefaultReason = "Scheduled maintenance";

    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.MaintenanceCategory);

    public async ValueTask<MaintenanceWindow> ScheduleAsync(
        Guid deviceId,
        DateTimeOffset start,
        TimeSpan duration,
        string? reason = null,
        string? actor = null,
        CancellationToken cancellationToken = default)
    {
        var now = time.GetStoredNow();
        var errors = new List<DeviceValidationError>();
        if (StoredTime.ToMicroseconds(start) < now)
        {
            errors.Add(new DeviceValidationError { Field = "start", Message = FormattableString.Invariant($"{start.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z is in the past (now {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z); a window starts now or later") });
        }

        if (duration <= TimeSpan.Zero)
        {
            errors.Add(new DeviceValidationError { Field = "duration", Message = $"must be more than zero, not {duration}" });
        }
        else if (start > DateTimeOffset.MaxValue - duration)
        {
            errors.Add(new DeviceValidationError { Field = "duration", Message = "ends after the end of time" });
        }

        if (errors.Count > 0)
        {
            throw new DeviceValidationException(errors);
        }

        var window = new MaintenanceWindow
        {
            Id = Guid.NewGuid(),
            DeviceId = deviceId,
            Start = StoredTime.ToMicroseconds(start),
            End = StoredTime.ToMicroseconds(start + duration),
            Reason = string.IsNullOrWhiteSpace(reason) ? DefaultReason : reason.Trim(),
            Actor = string.IsNullOrWhiteSpace(actor) ? null : actor.Trim(),
            CreatedAt = now,
            Status = MaintenanceWindowStatus.Scheduled,
        };
        await store.AddMaintenanceWindowAsync(window, cancellationToken).ConfigureAwait(false);
        WindowScheduled(_logger, window.Id, window.DeviceId, window.Start, window.End, window.Reason, window.Actor);
        return window;
    }

    public ValueTask<IReadOnlyList<MaintenanceWindow>> ListAsync(Guid? deviceId = null, bool openOnly = false, CancellationToken cancellationToken = default) =>
        store.ListMaintenanceWindowsAsync(deviceId, openOnly, cancellationToken);

    public async ValueTask<MaintenanceWindow> CancelAsync(Guid windowId, string? actor = null, CancellationToken cancellationToken = default)
    {
        var window = await store.GetMaintenanceWindowAsync(windowId, cancellationToken).ConfigureAwait(false)
            ?? throw new MaintenanceWindowNotFoundException(windowId);
        var note = string.IsNullOrWhiteSpace(actor) ? "Cancelled" : $"Cancelled by {actor.Trim()}";
        if (window.Status != MaintenanceWindowStatus.Scheduled
            || !await store.SetMaintenanceWindowStatusAsync(windowId, MaintenanceWindowStatus.Scheduled, MaintenanceWindowStatus.Cancelled, note, cancellationToken).ConfigureAwait(false))
        {
            var now = await store.GetMaintenanceWindowAsync(windowId, cancellationToken).ConfigureAwait(false) ?? window;
            throw new DeviceValidationException(
                "id",
                now.Status == MaintenanceWindowStatus.InProgress
                    ? $"window {windowId} is in progress; end the maintenance with 'maintenance exit' (the window then completes at its end without touching the device)"
                    : $"window {windowId} is {EnumText.Name(now.Status)}; only a scheduled window can be cancelled");
        }

        WindowCancelled(_logger, windowId, window.DeviceId, actor);
        return window with { Status = MaintenanceWindowStatus.Cancelled, Note = note };
    }

    public async ValueTask<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        var moved = 0;
        var open = await store.ListMaintenanceWindowsAsync(deviceId: null, openOnly: true, cancellationToken).ConfigureAwait(false);

        // Ends first, so that a device whose window ends frees its place before the next start is looked at.
        foreach (var window in open.Where(w => w.Status == MaintenanceWindowStatus.InProgress).OrderBy(w => w.End))
        {
            if (time.GetUtcNow() >= window.End && await EndAsync(window, cancellationToken).ConfigureAwait(false))
            {
                moved++;
            }
        }

        foreach (var window in open.Where(w => w.Status == MaintenanceWindowStatus.Scheduled))
        {
            if (time.GetUtcNow() >= window.Start && await StartAsync(window, cancellationToken).ConfigureAwait(false))
            {
                moved++;
            }
        }

        return moved;
    }

    private async ValueTask<bool> StartAsync(MaintenanceWindow window, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now >= window.End)
        {
            return await SkipAsync(window, MaintenanceWindowStatus.Scheduled, FormattableString.Invariant($"Missed: no scheduler ran between its start and its end (first seen {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)"), cancellationToken).ConfigureAwait(false);
        }

        var device = await registry.GetAsync(window.DeviceId, cancellationToken).ConfigureAwait(false);
        if (device is null || device.State != DeviceState.Active)
        {
            var state = device is null ? "gone" : EnumText.Name(device.State);
            return await SkipAsync(window, MaintenanceWindowStatus.Scheduled, $"Skipped: the device was {state} at the start, not active", cancellationToken).ConfigureAwait(false);
        }

        if (!await store.SetMaintenanceWindowStatusAsync(window.Id, MaintenanceWindowStatus.Scheduled, MaintenanceWindowStatus.InProgress, null, cancellationToken).ConfigureAwait(false))
        {
            return false; // another scheduler took it, or it was cancelled in between
        }

        try
        {
            await maintenance.EnterAsync(window.DeviceId, window.Reason, window.End - now, window.Actor ?? ScheduleActor, cancellationToken).ConfigureAwait(false);
            WindowStarted(_logger, window.Id, window.DeviceId, window.End);
        }
        catch (Exception ex) when (ex is InvalidLifecycleTransitionException or DeviceNotFoundException or DeviceConcurrencyException)
        {
            // The device moved between the look and the transition: the window did not run.
            await SkipAsync(window, MaintenanceWindowStatus.InProgress, $"Skipped: the device could not enter maintenance ({ex.Message})", cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private async ValueTask<bool> EndAsync(MaintenanceWindow window, CancellationToken cancellationToken)
    {
        var device = await registry.GetAsync(window.DeviceId, cancellationToken).ConfigureAwait(false);
        var inMaintenance = device?.State == DeviceState.Maintenance;
        var note = inMaintenance ? null : $"The device had already left maintenance (it was {(device is null ? "gone" : EnumText.Name(device.State))} at the end)";
        if (!await store.SetMaintenanceWindowStatusAsync(window.Id, MaintenanceWindowStatus.InProgress, MaintenanceWindowStatus.Completed, note, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (inMaintenance)
        {
            try
            {
                await maintenance.ExitAsync(window.DeviceId, window.Actor ?? ScheduleActor, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidLifecycleTransitionException)
            {
                // Taken out by hand at the same moment: nothing left to do.
            }
        }

        WindowEnded(_logger, window.Id, window.DeviceId, note);
        return true;
    }

    private async ValueTask<bool> SkipAsync(MaintenanceWindow window, MaintenanceWindowStatus from, string note, CancellationToken cancellationToken)
    {
        if (!await store.SetMaintenanceWindowStatusAsync(window.Id, from, MaintenanceWindowStatus.Skipped, note, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        WindowSkipped(_logger, window.Id, window.DeviceId, note);
        return true;
    }

    [LoggerMessage(EventId = FluxEventIds.MaintenanceWindowScheduled, Level = LogLevel.Information, Message = "Maintenance window {WindowId} scheduled for device {DeviceId} from {Start} to {End}: {Reason} (by {Actor})")]
    private static partial void WindowScheduled(ILogger logger, Guid windowId, Guid deviceId, DateTimeOffset start, DateTimeOffset end, string reason, string? actor);

    [LoggerMessage(EventId = FluxEventIds.MaintenanceWindowCancelled, Level = LogLevel.Information, Message = "Maintenance window {WindowId} of device {DeviceId} cancelled (by {Actor})")]
    private static partial void WindowCancelled(ILogger logger, Guid windowId, Guid deviceId, string? actor);

    [LoggerMessage(EventId = FluxEventIds.MaintenanceWindowStarted, Level = LogLevel.Information, Message = "Maintenance window {WindowId} started: device {DeviceId} in maintenance until {End}")]
    private static partial void WindowStarted(ILogger logger, Guid windowId, Guid deviceId, DateTimeOffset end);

    [LoggerMessage(EventId = FluxEventIds.MaintenanceWindowEnded, Level = LogLevel.Information, Message = "Maintenance window {WindowId} ended for device {DeviceId}; {Note}")]
    private static partial void WindowEnded(ILogger logger, Guid windowId, Guid deviceId, string? note);

    [LoggerMessage(EventId = FluxEventIds.MaintenanceWindowSkipped, Level = LogLevel.Warning, Message = "Maintenance window {WindowId} of device {DeviceId} skipped: {Note}")]
    private static partial void WindowSkipped(ILogger logger, Guid windowId, Guid deviceId, string note);
}
