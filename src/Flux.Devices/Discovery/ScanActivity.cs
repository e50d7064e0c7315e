using System.Diagnostics;
using System.Net;
using Flux.Devices.Diagnostics;

namespace Flux.Devices.Discovery;

/// <summary>
/// The traces of a scan: one activity named <see cref="Name"/> for the scan, tagged with what it covers and, at its
/// end, what it found; and one <see cref="ActivityKind.Client"/> activity named <see cref="HostName"/> per host,
/// tagged with OpenTelemetry's <c>server.address</c> and the devices found there. Every call takes a
/// <see langword="null"/> activity (no listener) and does nothing.
/// </summary>
internal static class ScanActivity
{
    public const string Name = "flux.devices.scan";
    public const string HostName = "flux.devices.scan.host";
    public const string HostsTag = "flux.scan.hosts";
    public const string PortsTag = "flux.scan.ports";
    public const string UnitIdsTag = "flux.scan.unit_ids";
    public const string HostsScannedTag = "flux.scan.hosts_scanned";
    public const string HostsAnsweringTag = "flux.scan.hosts_answering";
    public const string FoundTag = "flux.scan.found";
    public const string RequestsTag = "flux.scan.requests";
    public const string BudgetExhaustedTag = "flux.scan.budget_exhausted";

    /// <summary>Starts the scan's activity: how many hosts (exclusions left out), ports and unit ids per port it covers.</summary>
    public static Activity? Start(DeviceScanOptions options, long hosts)
    {
        var activity = FluxActivities.Source.StartActivity(Name, ActivityKind.Internal);
        activity?.SetTag(HostsTag, hosts);
        activity?.SetTag(PortsTag, options.Ports.Count);
        activity?.SetTag(UnitIdsTag, options.UnitIds.Count);
        return activity;
    }

    /// <summary>Tags what the scan did; a scan that failed is marked so (a cancelled one is not a failure).</summary>
    public static void Finish(Activity? activity, ScanProgress progress, Task producer)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(HostsScannedTag, progress.HostsScanned);
        activity.SetTag(HostsAnsweringTag, progress.HostsAnswering);
        activity.SetTag(FoundTag, progress.DevicesFound);
        activity.SetTag(RequestsTag, progress.RequestsSent);
        if (producer is { IsFaulted: true, Exception.InnerException: { } exception })
        {
            FluxActivities.Fail(activity, exception);
        }
    }

    public static Activity? StartHost(IPAddress host)
    {
        var activity = FluxActivities.Source.StartActivity(HostName, ActivityKind.Client);
        activity?.SetTag("server.address", host.ToString());
        return activity;
    }

    public static void FinishHost(Activity? activity, int found, bool budgetExhausted)
    {
        activity?.SetTag(FoundTag, found);
        if (budgetExhausted)
        {
            activity?.SetTag(BudgetExhaustedTag, true);
        }
    }
}
