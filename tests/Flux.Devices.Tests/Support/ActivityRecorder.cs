using System.Collections.Concurrent;
using System.Diagnostics;
using Flux.Devices.Diagnostics;

namespace Flux.Devices.Tests.Support;

/// <summary>
/// Records the library's activities of one test. Listeners are process-global and tests run in parallel, so the
/// recorder starts a root activity of its own (the current activity of the test from then on) and keeps only the
/// activities of that trace.
/// </summary>
internal sealed class ActivityRecorder : IDisposable
{
    private const string TestSourceName = "Flux.Devices.Tests.ActivityRecorder";
    private static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly Activity _root;

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is FluxDevicesDiagnostics.ActivitySourceName or TestSourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
        _root = TestSource.StartActivity("test") ?? throw new InvalidOperationException("The recorder's own source is not sampled.");
    }

    /// <summary>Gets the root activity: the parent of the activities the test's own calls start.</summary>
    public Activity Root => _root;

    /// <summary>The stopped activities of this test's trace with <paramref name="name"/>, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Stopped(string name) => [.. _stopped.Where(a => a.OperationName == name)];

    public void Dispose()
    {
        _root.Dispose();
        _listener.Dispose();
    }

    private void OnStopped(Activity activity)
    {
        if (activity.TraceId == _root?.TraceId && activity != _root)
        {
            _stopped.Enqueue(activity);
        }
    }
}
