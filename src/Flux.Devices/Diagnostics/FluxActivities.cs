using System.Diagnostics;

namespace Flux.Devices.Diagnostics;

/// <summary>
/// The one <see cref="ActivitySource"/> of the library (<see cref="FluxDevicesDiagnostics.ActivitySourceName"/>).
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns <see langword="null"/> when no listener
/// samples it, so callers use <c>using var activity = FluxActivities.Source.StartActivity(...)</c> and
/// <c>activity?.SetTag(...)</c> and pay nothing when tracing is off.
/// </summary>
internal static class FluxActivities
{
    /// <summary>The device an activity is about (its id as a string), as the health monitor's polls tag it.</summary>
    public const string DeviceIdTag = "flux.device.id";

    /// <summary>The device's name.</summary>
    public const string DeviceNameTag = "flux.device.name";

    public static readonly ActivitySource Source = new(
        FluxDevicesDiagnostics.ActivitySourceName,
        typeof(FluxActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Marks <paramref name="activity"/> as failed with <paramref name="exception"/>'s type (OpenTelemetry's <c>error.type</c>).</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }
}
