using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Flux.Devices.Health;

/// <summary>
/// The fleet's health for the host's <c>/health</c>: healthy when every polled device is online, degraded when some
/// are degraded or offline, and the registration's failure status when the offline share reaches
/// <see cref="DeviceHealthOptions.UnhealthyOfflineRatio"/>. It reads the monitor's cached state and does no device I/O.
/// </summary>
internal sealed class FleetHealthCheck(IDeviceHealthMonitor monitor, DeviceHealthOptions options) : IHealthCheck
{
    private const int WorstShown = 5;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var latest = monitor.GetLatest();
        int online = 0, degraded = 0, offline = 0;
        foreach (var health in latest)
        {
            switch (health.Sample.Status)
            {
                case DeviceHealthStatus.Online: online++; break;
                case DeviceHealthStatus.Degraded: degraded++; break;
                default: offline++; break;
            }
        }

        var worst = latest
            .Where(h => h.Sample.Status != DeviceHealthStatus.Online)
            .OrderBy(h => h.Sample.Status == DeviceHealthStatus.Offline ? 0 : 1)
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
            ["worst"] = worst,
        };

        var summary = $"{latest.Count} device(s): {online} online, {degraded} degraded, {offline} offline";
        var result = offline > 0 && offline >= options.UnhealthyOfflineRatio * latest.Count
            ? new HealthCheckResult(context.Registration.FailureStatus, summary, data: data)
            : offline + degraded > 0
                ? HealthCheckResult.Degraded(summary, data: data)
                : HealthCheckResult.Healthy(latest.Count == 0 ? "No device polled yet" : summary, data);
        return Task.FromResult(result);
    }

    private static string Describe(DeviceHealth health)
    {
        var sample = health.Sample;
        return sample.Status == DeviceHealthStatus.Offline
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
