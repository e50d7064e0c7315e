using System.Threading.Channels;
using Flux.Devices.Diagnostics;
using Flux.Devices.Storage;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Telemetry.Internal;

/// <summary>
/// The single telemetry writer of one run of the polling loop, as <c>HealthSampleWriter</c> is for samples: a bounded
/// queue of readings that drops its oldest (counted) rather than hold up polling, and a task that hands what waits to
/// the <see cref="ITelemetryStore"/> in batches, as fast as the store takes them.
/// </summary>
/// <remarks>
/// A batch the store refuses is written without what it refused: the readings of a device deleted behind the monitor's
/// back are dropped, a batch with a key already taken is written one device poll at a time (so that only that poll's
/// readings are lost), and a batch the store fails on otherwise is logged and dropped. Nothing the store does stops the writer.
/// </remarks>
internal sealed class TelemetryWriter
{
    private readonly ITelemetryStore _store;
    private readonly int _batchSize;
    private readonly DeviceTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Channel<TelemetryReading> _pending;
    private readonly Task _writing;

    /// <summary>Starts the writer.</summary>
    /// <param name="store">The store.</param>
    /// <param name="batchSize">The most readings in one write.</param>
    /// <param name="capacity">How many readings may wait.</param>
    /// <param name="telemetry">Counts dropped readings.</param>
    /// <param name="logger">Logs failed writes.</param>
    public TelemetryWriter(ITelemetryStore store, int batchSize, int capacity, DeviceTelemetry telemetry, ILogger logger)
    {
        _store = store;
        _batchSize = batchSize;
        _telemetry = telemetry;
        _logger = logger;
        _pending = Channel.CreateBounded<TelemetryReading>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => telemetry.StoreDropped(1));
        _writing = WriteReadingsAsync(_pending.Reader);
    }

    /// <summary>Queues a reading; does nothing once the writer is completing.</summary>
    public void Enqueue(TelemetryReading reading) => _pending.Writer.TryWrite(reading);

    /// <summary>Takes no more readings, and completes when those waiting are written.</summary>
    public Task CompleteAsync()
    {
        _pending.Writer.TryComplete();
        return _writing;
    }

    private async Task WriteReadingsAsync(ChannelReader<TelemetryReading> reader)
    {
        var batch = new List<TelemetryReading>(Math.Min(_batchSize, 4096));
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < _batchSize && reader.TryRead(out var reading))
            {
                batch.Add(reading);
            }

            await WriteBatchAsync([.. batch]).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async ValueTask WriteBatchAsync(List<TelemetryReading> batch)
    {
        while (batch.Count > 0)
        {
            try
            {
                await _store.AppendTelemetryAsync(batch, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (DeviceNotFoundException ex) when (ex.DeviceId is { } gone && batch.Exists(r => r.DeviceId == gone))
            {
                // A device deleted behind the monitor's back: write the others.
                _telemetry.StoreDropped(batch.RemoveAll(r => r.DeviceId == gone));
            }
            catch (AlreadyExistsException) when (batch.Select(r => (r.DeviceId, r.Timestamp)).Distinct().Skip(1).Any())
            {
                // A reading's key is taken: write each poll's readings on their own, so that only that poll's are lost.
                foreach (var poll in batch.GroupBy(r => (r.DeviceId, r.Timestamp)))
                {
                    await WriteBatchAsync([.. poll]).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.TelemetryWriteFailed(_logger, ex, batch.Count);
                _telemetry.StoreDropped(batch.Count);
                return;
            }
        }
    }
}
