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
    private readonly Action<IReadOnlyList<DeviceLease>>? _fenced;
    private readonly Health.HealthMetrics? _metrics;
    private readonly Channel<(TelemetryReading Reading, Guid DeviceId, long? Token)> _pending;
    private readonly Task _writing;

    /// <summary>Starts the writer.</summary>
    /// <param name="store">The store.</param>
    /// <param name="batchSize">The most readings in one write.</param>
    /// <param name="capacity">How many readings may wait.</param>
    /// <param name="telemetry">Counts dropped readings.</param>
    /// <param name="logger">Logs failed writes.</param>
    /// <param name="fenced">With leases: told of the leases under which the store refused readings (their tokens are no longer current).</param>
    /// <param name="metrics">With leases: counts the readings refused by fencing.</param>
    public TelemetryWriter(ITelemetryStore store, int batchSize, int capacity, DeviceTelemetry telemetry, ILogger logger, Action<IReadOnlyList<DeviceLease>>? fenced = null, Health.HealthMetrics? metrics = null)
    {
        _store = store;
        _batchSize = batchSize;
        _telemetry = telemetry;
        _logger = logger;
        _fenced = fenced;
        _metrics = metrics;
        _pending = Channel.CreateBounded<(TelemetryReading, Guid, long?)>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => telemetry.StoreDropped(1));
        _writing = WriteReadingsAsync(_pending.Reader);
    }

    /// <summary>Queues a reading; does nothing once the writer is completing.</summary>
    public void Enqueue(TelemetryReading reading) => Enqueue(reading, null);

    /// <summary>Queues a reading, with the lease token its device was polled under; does nothing once the writer is completing.</summary>
    public void Enqueue(TelemetryReading reading, long? token) => _pending.Writer.TryWrite((reading, reading.DeviceId, token));

    /// <summary>Takes no more readings, and completes when those waiting are written.</summary>
    public Task CompleteAsync()
    {
        _pending.Writer.TryComplete();
        return _writing;
    }

    private async Task WriteReadingsAsync(ChannelReader<(TelemetryReading Reading, Guid DeviceId, long? Token)> reader)
    {
        var batch = new List<(TelemetryReading, Guid, long?)>(Math.Min(_batchSize, 4096));
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

    private async ValueTask WriteBatchAsync(List<(TelemetryReading Reading, Guid DeviceId, long? Token)> batch)
    {
        while (batch.Count > 0)
        {
            using var fence = Health.Internal.LeaseFencing.Enter(batch, out var stale);
            Refuse(stale, stale.Count);
            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await _store.AppendTelemetryAsync([.. batch.Select(e => e.Reading)], CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (LeaseLostException ex)
            {
                // Another instance holds these devices now: their readings are not written; the others are.
                var refused = Health.Internal.LeaseFencing.Refused(batch, ex.DeviceIds);
                var lost = new HashSet<Guid>(ex.DeviceIds);
                Refuse(refused, batch.RemoveAll(e => lost.Contains(e.DeviceId)));
            }
            catch (DeviceNotFoundException ex) when (ex.DeviceId is { } gone && batch.Exists(r => r.DeviceId == gone))
            {
                // A device deleted behind the monitor's back: write the others.
                _telemetry.StoreDropped(batch.RemoveAll(r => r.DeviceId == gone));
            }
            catch (AlreadyExistsException) when (batch.Select(r => (r.DeviceId, r.Reading.Timestamp)).Distinct().Skip(1).Any())
            {
                // A reading's key is taken: write each poll's readings on their own, so that only that poll's are lost.
                foreach (var poll in batch.GroupBy(r => (r.DeviceId, r.Reading.Timestamp)))
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

    private void Refuse(List<DeviceLease> leases, int readings)
    {
        if (readings == 0)
        {
            return;
        }

        _telemetry.StoreDropped(readings);
        _metrics?.FencedWriteRefused(readings);
        _fenced?.Invoke(leases);
    }
}
