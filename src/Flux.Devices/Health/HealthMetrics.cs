using System.Diagnostics.Metrics;
using Flux.Devices.Diagnostics;

namespace Flux.Devices.Health;

/// <summary>
/// The health monitor's instruments on the <c>Flux.Devices</c> meter: poll duration (seconds, by status), failed polls
/// (by error kind), devices by health status, and samples the store could not take. Without an
/// <see cref="IMeterFactory"/> nothing is measured.
/// </summary>
internal sealed class HealthMetrics
{
    // Boxed once: a tag value is an object, and a poll must not allocate one. The poll's trace uses the same names.
    public static readonly object[] StatusNames = ["online", "offline", "degraded"];
    public static readonly object[] ErrorKindNames = ["timeout", "transport", "protocol", "device_exception", "configuration"];

    private readonly Histogram<double>? _duration;
    private readonly Counter<long>? _failures;
    private readonly Counter<long>? _dropped;
    private readonly Meter? _meter;
    private Counter<long>? _renewals;
    private Counter<long>? _leasesLost;
    private Counter<long>? _fenced;
    private KeyValuePair<string, object?> _instance;

    public HealthMetrics(IMeterFactory? meterFactory, Func<int[]> countByStatus)
    {
        if (meterFactory is null)
        {
            return;
        }

        var meter = _meter = meterFactory.Create(FluxDevicesDiagnostics.MeterName);
        _duration = meter.CreateHistogram(
            "flux.devices.poll.duration",
            unit: "s",
            description: "Duration of device health polls, retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _failures = meter.CreateCounter<long>("flux.devices.poll.failures", unit: "{poll}", description: "Health polls that failed after their retries, by error kind.");
        _dropped = meter.CreateCounter<long>("flux.devices.health.samples_dropped", unit: "{sample}", description: "Health samples the store did not take (it failed or fell too far behind).");
        meter.CreateObservableUpDownCounter<int>(
            "flux.devices.health.devices",
            () =>
            {
                var counts = countByStatus();
                return (IEnumerable<Measurement<int>>)
                [
                    new Measurement<int>(counts[0], new KeyValuePair<string, object?>("status", StatusNames[0])),
                    new Measurement<int>(counts[1], new KeyValuePair<string, object?>("status", StatusNames[1])),
                    new Measurement<int>(counts[2], new KeyValuePair<string, object?>("status", StatusNames[2])),
                ];
            },
            unit: "{device}",
            description: "Polled devices by the status of their latest poll.");
    }

    public void Polled(DeviceHealthStatus status, TimeSpan elapsed, HealthErrorKind? error)
    {
        if (_duration is { Enabled: true })
        {
            _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("status", StatusNames[(int)status]));
        }

        if (status == DeviceHealthStatus.Offline && error is { } kind && _failures is { Enabled: true })
        {
            _failures.Add(1, new KeyValuePair<string, object?>("error_kind", ErrorKindNames[(int)kind]));
        }
    }

    public void Dropped(int count) => _dropped?.Add(count);

    /// <summary>
    /// Creates the lease instruments of a monitor with leases, tagged with its instance name: devices held, renewals,
    /// leases lost and fenced writes refused.
    /// </summary>
    public void TrackLeases(string instance, Func<int> held)
    {
        if (_meter is null)
        {
            return;
        }

        _instance = new KeyValuePair<string, object?>("instance", instance);
        var tag = _instance;
        _meter.CreateObservableUpDownCounter("flux.devices.leases.held", () => new Measurement<int>(held(), tag), unit: "{device}", description: "Devices whose lease this monitor instance holds.");
        _renewals = _meter.CreateCounter<long>("flux.devices.leases.renewals", unit: "{renewal}", description: "Lease renewals of this monitor instance (one round trip each, whatever the number of devices).");
        _leasesLost = _meter.CreateCounter<long>("flux.devices.leases.lost", unit: "{lease}", description: "Leases this monitor instance lost to another (not given back).");
        _fenced = _meter.CreateCounter<long>("flux.devices.leases.fenced_writes", unit: "{item}", description: "Health samples, telemetry readings and lifecycle moves of this monitor instance the store refused because their lease token was no longer current.");
    }

    public void Renewed() => _renewals?.Add(1, _instance);

    public void LeasesLost(int count) => _leasesLost?.Add(count, _instance);

    public void FencedWriteRefused(int count) => _fenced?.Add(count, _instance);
}
