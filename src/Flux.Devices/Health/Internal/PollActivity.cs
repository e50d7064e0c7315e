using System.Diagnostics;
using Flux.Devices.Diagnostics;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// The trace of a poll: one <see cref="ActivityKind.Client"/> activity named <see cref="Name"/> on
/// <see cref="FluxActivities.Source"/>, tagged with the device, its server (OpenTelemetry's <c>server.address</c> and
/// <c>server.port</c>) and the outcome. Every call takes a <see langword="null"/> activity (no listener) and does nothing.
/// </summary>
internal static class PollActivity
{
    public const string Name = "flux.devices.poll";
    public const string DeviceIdTag = "flux.device.id";
    public const string DeviceNameTag = "flux.device.name";
    public const string OutcomeTag = "flux.device.poll.outcome";
    public const string AttemptsTag = "flux.device.poll.attempts";

    /// <summary>The outcome of a poll that found the device no longer to be polled (or not yet testable).</summary>
    public const string Skipped = "skipped";

    public static Activity? Start(Guid deviceId)
    {
        var activity = FluxActivities.Source.StartActivity(Name, ActivityKind.Client);
        activity?.SetTag(DeviceIdTag, deviceId.ToString());
        return activity;
    }

    /// <summary>Tags the device and where it is polled (no server when its address is missing).</summary>
    public static void Describe(Activity? activity, PollTarget target)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(DeviceNameTag, target.Device?.Name);
        if (target.Problem is null)
        {
            activity.SetTag("server.address", target.Endpoint.Host);
            activity.SetTag("server.port", target.Endpoint.Port);
        }
    }

    public static void Skip(Activity? activity) => activity?.SetTag(OutcomeTag, Skipped);

    /// <summary>Tags the outcome; a failed poll marks the activity failed, with the exception's type or else the error kind as <c>error.type</c>.</summary>
    public static void Complete(Activity? activity, DeviceHealthSample sample, PollOutcome outcome)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(OutcomeTag, HealthMetrics.StatusNames[(int)sample.Status]);
        activity.SetTag(AttemptsTag, outcome.Attempts);
        if (sample.Status != DeviceHealthStatus.Offline)
        {
            return;
        }

        if (outcome.Exception is { } exception)
        {
            FluxActivities.Fail(activity, exception);
        }
        else
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome.Error);
            activity.SetTag("error.type", outcome.ErrorKind is { } kind ? HealthMetrics.ErrorKindNames[(int)kind] : null);
        }
    }
}
