using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests.Support;

/// <summary>
/// A fake clock that tells when code starts a timer on it (a <c>Task.Delay</c>, a timed cancellation). A test waits
/// until the code under test sleeps on the clock before it advances the clock, so the test never races the code: it
/// does not matter how late the machine runs either side.
/// </summary>
internal sealed class WatchedClock : FakeTimeProvider
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (up to 30 s of real time) for the next timer started with a due time that <paramref name="which"/> accepts, and returns that due time.</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> which)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        while (true)
        {
            var dueTime = await _timers.Reader.ReadAsync(timeout.Token);
            if (which(dueTime))
            {
                return dueTime;
            }
        }
    }
}
