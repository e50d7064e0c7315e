using System.Runtime.InteropServices;

namespace Flux.Devices.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM as a cancellation, from the first line of the process: installed before anything is
/// parsed, opened or announced, so that no signal finds the process without a handler (which would end it at once,
/// silently, possibly half-way through creating a store). The command then stops as cancelled (exit code 130) and
/// cleans up; a second signal, while it does, ends the process at once.
/// </summary>
internal static class Signals
{
    /// <summary>Cancels <paramref name="stop"/> on SIGINT or SIGTERM until disposed.</summary>
    /// <param name="stop">What the signals cancel.</param>
    /// <returns>The registrations.</returns>
    public static IDisposable CancelOnSignals(CancellationTokenSource stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        return new Registrations(interrupt, terminate);

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = !stop.IsCancellationRequested; // the first one cancels; the next is not held back
            stop.Cancel();
        }
    }

    private sealed class Registrations(params IDisposable[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
