namespace Flux.Devices.Testing.Internal;

/// <summary>
/// Releases a round of participants together, without blocking threads, so that concurrent tests interleave
/// deterministically (every participant has read before any writes) even on a two-core machine.
/// </summary>
internal sealed class AsyncBarrier
{
    private readonly int _participants;
    private readonly Lock _lock = new();
    private int _arrived;
    private TaskCompletionSource _round = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Initializes a new instance of the <see cref="AsyncBarrier"/> class.</summary>
    /// <param name="participants">How many arrivals release a round.</param>
    public AsyncBarrier(int participants) => _participants = participants;

    /// <summary>
    /// Arrives, and waits until every participant of the round has arrived. Fails after a generous minute, so that
    /// a participant that died does not hang the test run.
    /// </summary>
    /// <returns>A task that completes when the round is released.</returns>
    public Task SignalAndWaitAsync() => ArriveAsync().WaitAsync(TimeSpan.FromMinutes(1));

    private Task ArriveAsync()
    {
        lock (_lock)
        {
            var round = _round;
            if (++_arrived == _participants)
            {
                _arrived = 0;
                _round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                round.SetResult();
            }

            return round.Task;
        }
    }
}
