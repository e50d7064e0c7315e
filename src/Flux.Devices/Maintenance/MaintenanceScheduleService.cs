using Flux.Devices.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Maintenance;

/// <summary>Runs <see cref="IMaintenanceScheduler.RunDueAsync"/> at start and then every <see cref="MaintenanceScheduleOptions.Interval"/> on the container's clock, for the life of the host.</summary>
/// <remarks>A failed run (the store unreachable) is logged and tried again at the next interval; it never stops the host.</remarks>
internal sealed partial class MaintenanceScheduleService(
    IMaintenanceScheduler scheduler,
    IOptions<MaintenanceScheduleOptions> options,
    TimeProvider time,
    ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.MaintenanceCategory);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await scheduler.RunDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is FluxDevicesException or IOException or TimeoutException or InvalidOperationException)
            {
                RunFailed(_logger, ex, interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = FluxEventIds.MaintenanceScheduleFailed, Level = LogLevel.Warning, Message = "The maintenance schedule could not run; it is tried again in {Interval}")]
    private static partial void RunFailed(ILogger logger, Exception exception, TimeSpan interval);
}

/// <summary>Checks the attribute rules on <see cref="MaintenanceScheduleOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class MaintenanceScheduleOptionsValidator : IValidateOptions<MaintenanceScheduleOptions>;
