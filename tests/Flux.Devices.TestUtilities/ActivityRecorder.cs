using System.Diagnostics;
using Flux.Devices.Diagnostics;

namespace Flux.Devices.TestUtilities;

/// <summary>
/// Records the activities of the <c>Flux.Devices</c> sources that belong to this test only: it starts a root activity of
/// its own, and keeps the stopped activities in that trace (other tests running at the same time have other traces).
/// </summary>
public sealed class ActivityRecorder : IDisposable
{
    private readonly Activity _root;
    private readonly ActivityListener _listener;
    private readonly List<Activity> _stopped = [];

    /// <summary>Initializes a new instance of the <see cref="ActivityRecorder"/> class and starts listening.</summary>
    /// <param name="name">The root activity's name (the test's).</param>
    public ActivityRecorder(string name = "test")
    {
        _root = new Activity(name).Start();
        var traceId = _root.TraceId;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FluxDevicesDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => options.TraceId == traceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    lock (_stopped)
                    {
                        _stopped.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Gets the root activity: the parent of the activities the test's own calls start.</summary>
    public Activity Root => _root;

    /// <summary>Gets the activities of this test stopped so far, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
            {
                return [.. _stopped];
            }
        }
    }

    /// <summary>Returns the stopped activities of this test named <paramref name="name"/>, in the order they stopped.</summary>
    /// <param name="name">The operation name.</param>
    /// <returns>The activities.</returns>
    public IReadOnlyList<Activity> Named(string name) => [.. Stopped.Where(a => a.OperationName == name)];

    /// <inheritdoc />
    public void Dispose()
    {
        _listener.Dispose();
        _root.Dispose();
    }
}
