using System.Collections.Concurrent;
using System.Threading.Channels;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;

namespace Flux.Devices.Tests.Telemetry;

/// <summary>A list-backed <see cref="ITelemetryStore"/>: keeps every batch, or throws what <see cref="Failure"/> says, and tells a test when a batch arrives.</summary>
internal sealed class ListTelemetryStore : ITelemetryStore
{
    private readonly ConcurrentQueue<TelemetryReading[]> _batches = new();
    private readonly Channel<TelemetryReading[]> _arrived = Channel.CreateUnbounded<TelemetryReading[]>();

    /// <summary>What a write does before it stores: throw to refuse the batch.</summary>
    public Func<IReadOnlyList<TelemetryReading>, Exception?> Failure { get; set; } = static _ => null;

    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first write reaches the store.</summary>
    public Task Entered => _entered.Task;

    /// <summary>Holds every write until it completes, when set.</summary>
    public Task? Gate { get; set; }

    public IReadOnlyList<TelemetryReading[]> Batches => [.. _batches];

    public IReadOnlyList<TelemetryReading> Readings => [.. _batches.SelectMany(b => b)];

    public async ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default)
    {
        _entered.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (Failure(readings) is { } failure)
        {
            throw failure;
        }

        TelemetryReading[] batch = [.. readings.Where(r => r.Value is not null)];
        _batches.Enqueue(batch);
        _arrived.Writer.TryWrite(batch);
    }

    public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(Guid deviceId, IReadOnlyCollection<string>? points, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<TelemetryReading>>([.. Readings.Where(r => r.DeviceId == deviceId && (points is not { Count: > 0 } || points.Contains(r.Point)) && r.Timestamp >= since && r.Timestamp < until)]);

    public async Task<TelemetryReading[]> NextBatchAsync() =>
        await _arrived.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
}
