using System.CommandLine;
using Flux.Devices.Health;
using Flux.Devices.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices health [--filter] [--watch]</c>: polls every device that should be polled once and prints its health
/// (exit code 1 when one is offline; a Failed device is probed and listed with its state, and counts as offline while it does
/// not answer), or with <c>--watch</c> keeps polling each on its template's interval, printing
/// every sample as it is taken (JSON Lines with <c>--output json</c>), until Ctrl+C. <c>--points soe,status</c> adds a
/// column per point with the device's latest telemetry reading (Active devices only). Devices are reached as their metadata
/// says (<c>modbus_framing</c>, <c>modbus_tls</c>); <c>--tls-cert</c> (with <c>--tls-key</c>, <c>--tls-ca</c>) is the client's
/// certificate for those with <c>modbus_tls: true</c>.
/// </summary>
internal static class HealthCommand
{
    private static readonly int[] Widths = [20, 28, 9, 6, 7, 14, 20];

    public static Command Build(Cli cli)
    {
        var filter = new Option<string?>("--filter") { Description = "Only the devices this filter selects (without --watch)." };
        var watch = new Option<bool>("--watch") { Description = "Keep polling every device on its template's interval, printing each sample, until Ctrl+C." };
        var pointsOption = new Option<string[]>("--points")
        {
            Description = "Points to show beside each device's health, from its latest telemetry (soe,target_power); Active devices give readings.",
            AllowMultipleArgumentsPerToken = true,
        };
        var health = new Command("health", "Poll devices over Modbus and print their health: online, degraded or offline, response time, errors.") { filter, watch, pointsOption };
        var tlsFiles = TransportOptions.AddFilesTo(health);
        health.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var tls = tlsFiles.ReadFiles(result);
            var deviceFilter = DeviceFilter.Parse(result.GetValue(filter));
            var points = ReadCommand.Points(result.GetValue(pointsOption), "--points");
            if (result.GetValue(watch))
            {
                if (!deviceFilter.IsEmpty)
                {
                    throw new UsageException("devices health --watch polls every device the registry polls; --filter is for a one-off check.");
                }

                return await WatchAsync(cli, output, result, tls, points, token);
            }

            await using var registry = await cli.OpenAsync(result, token, tls: tls);
            var monitor = registry.Get<IDeviceHealthMonitor>();
            var telemetry = registry.Get<IDeviceTelemetry>();
            var samples = await monitor.CheckAsync(deviceFilter, token);
            var health = Polled(monitor, samples);
            await (output.IsJson
                ? output.WriteJsonAsync<object>(points.Count == 0 ? health : health.ConvertAll(h => WithPoints(h, points, telemetry)))
                : output.WriteAsync(Views.Health(health, points, telemetry.GetLatest)));
            if (samples.Count == 0)
            {
                await output.StatusAsync("No device to poll: only active devices that are Configured, Testing, Active or Failed are polled.");
            }

            return samples.Any(s => s.Status == DeviceHealthStatus.Offline) ? FluxCli.Failed : FluxCli.Ok;
        }, token));
        return health;
    }

    /// <summary>The health of the devices a check polled, with their names and states after it: the monitor's cache.</summary>
    public static List<DeviceHealth> Polled(IDeviceHealthMonitor monitor, IReadOnlyList<DeviceHealthSample> samples)
    {
        var polled = samples.Select(s => s.DeviceId).ToHashSet();
        return [.. monitor.GetLatest().Where(h => polled.Contains(h.DeviceId))];
    }

    /// <summary>A device's health with its latest readings of the chosen points, for JSON: the health's fields and <c>points</c>.</summary>
    public static object WithPoints(DeviceHealth health, IReadOnlyList<string> points, IDeviceTelemetry telemetry)
    {
        var readings = telemetry.GetLatest(health.DeviceId);
        return new
        {
            health.DeviceId,
            health.DeviceName,
            health.State,
            health.Sample,
            Points = points.ToDictionary(p => p, p => readings.FirstOrDefault(r => r.Point == p) is { } reading ? Views.ReadingJson(reading) : null),
        };
    }

    private static async Task<int> WatchAsync(Cli cli, CliOutput output, ParseResult result, Modbus.ModbusTlsOptions? tls, List<string> points, CancellationToken cancellationToken)
    {
        var printer = new SamplePrinter(output, points);
        await using var registry = await cli.OpenAsync(result, cancellationToken, builder => builder.AddHealthObserver(printer), tls: tls);
        printer.Telemetry = registry.Get<IDeviceTelemetry>();
        await output.StatusAsync("Watching device health on each device's polling interval; Ctrl+C to stop.");
        printer.Start();
        try
        {
            await registry.Get<IDeviceHealthMonitor>().RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: the monitor has written what it had.
        }

        return FluxCli.Ok;
    }

    /// <summary>
    /// Prints each sample as the monitor takes it: a row (table, CSV) or a JSON line; with points, the device's latest
    /// readings of them (the monitor decodes a poll before it tells its observers, so they are this poll's).
    /// </summary>
    private sealed class SamplePrinter(CliOutput output, List<string> points) : IDeviceHealthObserver
    {
        private RowStream? _rows;

        public IDeviceTelemetry? Telemetry { get; set; }

        /// <summary>Prints the header (tables and CSV): before the first sample, so that a quiet fleet still shows one.</summary>
        public void Start() => _rows = output.BeginRows(Views.Health([], points), [.. Widths, .. points.Select(p => Math.Max(p.Length, 14))]);

        public ValueTask OnSampledAsync(Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
        {
            var health = new DeviceHealth { DeviceId = device.Id, DeviceName = device.Name, State = device.State, Sample = sample };
            var row = Views.Health([health], points, Telemetry is { } telemetry ? telemetry.GetLatest : null).Rows[0];
            _rows?.Write(points.Count > 0 && Telemetry is not null ? WithPoints(health, points, Telemetry) : health, row);
            return ValueTask.CompletedTask;
        }
    }
}
