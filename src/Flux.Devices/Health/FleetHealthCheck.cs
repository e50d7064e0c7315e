using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Flux.Devices.Health;

/// <summary>
/// The fleet's health for the host's <c>/health</c>: healthy when every polled device is online, degraded when some
/// are degraded, offline or <see cref="DeviceState.Failed"/>, and the registration's failure status when the share of
/// devices offline or Failed reaches <see cref="DeviceHealthOptions.UnhealthyOfflineRatio"/>. A Failed device counts
/// once, as failed (not also as offline), whatever its latest probe said. It reads the monitor's cached state and does no device I/O.
/// </summary>
internal sealed class FleetHealthCheck(IDeviceHealthMonitor monitor, DeviceHealthOptions options) : IHealthCheck
{
    private const int WorstShown = 5;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var latest = monitor.GetLatest();
        int online = 0, degraded = 0, offline = 0, failed = 0;
        foreach (var health in latest)
        {
            switch (health.Sample.Status)
            {
                case var _ when health.State == DeviceState.Failed: failed++; break;
                case DeviceHealthStatus.Online: online++; break;
                case DeviceHealthStatus.Degraded: degraded++; break;
                default: offline++; break;
            }
        }

        var worst = latest
            .Where(h => h.Sample.Status != DeviceHealthStatus.Online || h.State == DeviceState.Failed)
            .OrderBy(Rank)
            .ThenByDescending(h => h.Sample.ErrorCount)
            .ThenByDescending(h => h.Sample.ResponseTimeMs ?? 0)
            .Take(WorstShown)
            .Select(Describe)
            .ToArray();
        var data = new Dictionary<string, object>
        {
            ["devices"] = latest.Count,
            ["online"] = online,
            ["degraded"] = degraded,
            ["offline"] = offline,
            ["failed"] = failed,
            ["worst"] = worst,
        };

        var summary = $"{latest.Count} device(s): {online} online, {degraded} degraded, {offline} offline, {failed} failed";
        if ((monitor as DeviceHealthMonitor)?.Leases is { } leases)
        {
            // With leases: this instance's part of the fleet, and whether it still holds it.
            data["lease_instance"] = leases.Instance.Name;
            data["leases_held"] = leases.HeldCount;
            data["lease_share"] = Math.Round(leases.Share, 1);
            if (leases.LastRenewed is { } renewed)
            {
                data["leases_renewed_at"] = renewed.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }

            if (leases.Lapsed)
            {
                return Task.FromResult(new HealthCheckResult(
                    context.Registration.FailureStatus,
                    $"Monitor instance {leases.Instance.Name} could not renew its leases within the lease time: it polls none of its devices until it can. {summary}",
                    data: data));
            }

            summary = $"{summary}; instance {leases.Instance.Name} holds {leases.HeldCount} lease(s)";
        }

        var down = offline + failed;
        var result = down > 0 && down >= options.UnhealthyOfflineRatio * latest.Count
            ? new HealthCheckResult(context.Registration.FailureStatus, summary, data: data)
            : down + degraded > 0
                ? HealthCheckResult.Degraded(summary, data: data)
                : HealthCheckResult.Healthy(latest.Count == 0 ? "No device polled yet" : summary, data);
        return Task.FromResult(result);
    }

    /// <summary>Failed devices first, then offline, then degraded.</summary>
    private static int Rank(DeviceHealth health) =>
        health.State == DeviceState.Failed ? 0 : health.Sample.Status == DeviceHealthStatus.Offline ? 1 : 2;

    private static string Describe(DeviceHealth health)
    {
        var sample = health.Sample;
        return health.State == DeviceState.Failed
            ? $"{health.DeviceName}: failed, {sample.ErrorCount} failed poll(s) in a row ({sample.Diagnostics?.Error}); probed again on a backoff"
            : sample.Status == DeviceHealthStatus.Offline
                ? $"{health.DeviceName}: offline, {sample.ErrorCount} failed poll(s) in a row ({sample.Diagnostics?.Error})"
                : $"{health.DeviceName}: degraded, {sample.ResponseTimeMs} ms after {sample.Diagnostics?.Attempts} attempt(s)";
    }
}

/// <summary>Runs <see cref="IDeviceHealthMonitor.RunAsync"/> for the life of the host.</summary>
/// <remarks>
/// It takes the container, not the monitor, so that <c>ValidateOnBuild</c> does not refuse a container without a transport
/// with a message that does not say what to add: the host's start fails instead, naming <c>UseModbusTcp()</c>.
/// </remarks>
internal sealed class HealthMonitorService(IServiceProvider services) : BackgroundService
{
    private readonly IDeviceHealthMonitor _monitor = MonitorRegisteredValidator.Monitor(services);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _monitor.RunAsync(stoppingToken);
}
