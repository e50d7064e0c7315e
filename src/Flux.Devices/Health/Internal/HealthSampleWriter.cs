using System.Threading.Channels;
using Flux.Devices.Diagnostics;
using Flux.Devices.Storage;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// The single writer of one run of the polling loop: a bounded queue of samples that drops its oldest (counted) rather
/// than hold up polling, and a task that sends what waits to the store in batches, as fast as the store takes them.
/// </summary>
/// <remarks>
/// A batch the store refuses is written without what it refused: the samples of a device deleted behind the monitor's
/// back are dropped, a batch with a timestamp already taken is written one sample at a time (so that only that one is
/// lost), and a batch the store fails on otherwise is logged and dropped. Nothing the store does stops the writer.
/// </remarks>
internal sealed class HealthSampleWriter
{
    private readonly Func<IReadOnlyList<DeviceHealthSample>, CancellationToken, ValueTask> _append;
    private readonly int _batchSize;
    private readonly HealthMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<IReadOnlyList<DeviceLease>>? _fenced;
    private readonly Channel<(DeviceHealthSample Sample, Guid DeviceId, long? Token)> _pending;
    private readonly Task _writing;

    /// <summary>Starts the writer.</summary>
    /// <param name="append">Writes a batch: the store's <c>AppendHealthAsync</c>.</param>
    /// <param name="options">The batch size and the queue's capacity.</param>
    /// <param name="metrics">Counts dropped samples.</param>
    /// <param name="logger">Logs failed writes.</param>
    /// <param name="fenced">With leases: told of the leases under which the store refused samples (their tokens are no longer current).</param>
    public HealthSampleWriter(Func<IReadOnlyList<DeviceHealthSample>, CancellationToken, ValueTask> append, DeviceHealthOptions options, HealthMetrics metrics, ILogger logger, Action<IReadOnlyList<DeviceLease>>? fenced = null)
    {
        _append = append;
        _batchSize = options.SampleBatchSize;
        _metrics = metrics;
        _logger = logger;
        _fenced = fenced;
        _pending = Channel.CreateBounded<(DeviceHealthSample, Guid, long?)>(
            new BoundedChannelOptions(options.MaxPendingSamples) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => metrics.Dropped(1));
        _writing = WriteSamplesAsync(_pending.Reader);
    }

    /// <summary>Queues a sample; does nothing once the writer is completing.</summary>
    public void Enqueue(DeviceHealthSample sample) => Enqueue(sample, null);

    /// <summary>Queues a sample, with the lease token its device was polled under; does nothing once the writer is completing.</summary>
    /// <param name="sample">The sample.</param>
    /// <param name="token">The lease token the device was polled under; <see langword="null"/> without leases.</param>
    public void Enqueue(DeviceHealthSample sample, long? token) => _pending.Writer.TryWrite((sample, sample.DeviceId, token));

    /// <summary>Takes no more samples, and completes when those waiting are written.</summary>
    public Task CompleteAsync()
    {
        _pending.Writer.TryComplete();
        return _writing;
    }

    private async Task WriteSamplesAsync(ChannelReader<(DeviceHealthSample Sample, Guid DeviceId, long? Token)> reader)
    {
        var batch = new List<(DeviceHealthSample, Guid, long?)>(Math.Min(_batchSize, 1024));
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < _batchSize && reader.TryRead(out var sample))
            {
                batch.Add(sample);
            }

            await WriteBatchAsync([.. batch]).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async ValueTask WriteBatchAsync(List<(DeviceHealthSample Sample, Guid DeviceId, long? Token)> batch)
    {
        while (batch.Count > 0)
        {
            using var fence = LeaseFencing.Enter(batch, out var stale);
            Refuse(stale, stale.Count);
            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await _append([.. batch.Select(e => e.Sample)], CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (LeaseLostException ex)
            {
                // Another instance holds these devices now: their samples are not written; the others are.
                var refused = LeaseFencing.Refused(batch, ex.DeviceIds);
                var lost = new HashSet<Guid>(ex.DeviceIds);
                Refuse(refused, batch.RemoveAll(e => lost.Contains(e.DeviceId)));
            }
            catch (DeviceNotFoundException ex) when (ex.DeviceId is { } gone && batch.Exists(s => s.DeviceId == gone))
            {
                // A device deleted behind the monitor's back: write the others.
                _metrics.Dropped(batch.RemoveAll(s => s.DeviceId == gone));
            }
            catch (AlreadyExistsException) when (batch.Count > 1)
            {
                // One sample's timestamp is taken: write them one by one, so that only that one is lost.
                foreach (var sample in batch)
                {
                    await WriteBatchAsync([sample]).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.HealthWriteFailed(_logger, ex, batch.Count);
                _metrics.Dropped(batch.Count);
                return;
            }
        }
    }

    private void Refuse(List<DeviceLease> leases, int samples)
    {
        if (samples == 0)
        {
            return;
        }

        _metrics.Dropped(samples);
        _metrics.FencedWriteRefused(samples);
        _fenced?.Invoke(leases);
    }
}
