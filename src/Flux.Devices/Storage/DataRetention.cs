using Microsoft.Extensions.Hosting;
using Flux.Devices.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Storage;

/// <summary>The library's <see cref="IDataRetention"/>: each series with a window, batch after batch.</summary>
internal sealed partial class DataRetention(IRetentionStore store, IOptions<RetentionOptions> options, TimeProvider time, ILoggerFactory? loggerFactory = null) : IDataRetention
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.StorageCategory);

    public async ValueTask<IReadOnlyList<RetentionOutcome>> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var outcomes = new List<RetentionOutcome>(2);
        foreach (var (series, window) in new[] { (RetainedSeries.HealthSamples, settings.HealthSamples), (RetainedSeries.Telemetry, settings.Telemetry) })
        {
            if (window is not { } kept)
            {
                outcomes.Add(new RetentionOutcome { Series = series });
                continue;
            }

            var before = now - kept;
            long deleted = 0;
            var batches = 0;
            int last;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                last = await store.DeleteExpiredAsync(series, before, settings.BatchSize, cancellationToken).ConfigureAwait(false);
                deleted += last;
                batches++;
            }
            while (last >= settings.BatchSize);

            if (deleted > 0)
            {
                Deleted(_logger, deleted, series, before, batches);
            }

            outcomes.Add(new RetentionOutcome { Series = series, Window = kept, Before = before, Deleted = deleted, Batches = batches });
        }

        return outcomes;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Retention deleted {Deleted} row(s) of {Series} older than {Before:O} in {Batches} batch(es)")]
    private static partial void Deleted(ILogger logger, long deleted, RetainedSeries series, DateTimeOffset before, int batches);
}

/// <summary>Runs <see cref="IDataRetention"/> at start and then every <see cref="RetentionOptions.Interval"/>, for the life of the host.</summary>
/// <remarks>A failed run (the store unreachable) is logged and tried again at the next interval; it never stops the host.</remarks>
internal sealed partial class RetentionService(IDataRetention retention, IOptions<RetentionOptions> options, TimeProvider time, ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.StorageCategory);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await retention.RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is FluxDevicesException or NotSupportedException or IOException or TimeoutException or InvalidOperationException)
            {
                RunFailed(_logger, ex, options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Retention failed; it is tried again in {Interval}")]
    private static partial void RunFailed(ILogger logger, Exception exception, TimeSpan interval);
}

/// <summary>Checks the attribute rules on <see cref="RetentionOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class RetentionOptionsValidator : IValidateOptions<RetentionOptions>;
