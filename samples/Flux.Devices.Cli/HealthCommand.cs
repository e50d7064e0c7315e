using System.CommandLine;
using Flux.Devices.Health;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices health [--filter] [--watch]</c>: polls every device that should be polled once and prints its health
/// (exit code 1 when one is offline), or with <c>--watch</c> keeps polling each on its template's interval, printing
/// every sample as it is taken (JSON Lines with <c>--output json</c>), until Ctrl+C. Devices are reached as their metadata
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
        var health = new Command("health", "Poll devices over Modbus and print their health: online, degraded or offline, response time, errors.") { filter, watch };
        var tlsFiles = TransportOptions.AddFilesTo(health);
        health.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var tls = tlsFiles.ReadFiles(result);
            var deviceFilter = DeviceFilter.Parse(result.GetValue(filter));
            if (result.GetValue(watch))
            {
                if (!deviceFilter.IsEmpty)
                {
                    throw new UsageException("devices health --watch polls every device the registry polls; --filter is for a one-off check.");
                }

                return await WatchAsync(cli, output, result, tls, token);
            }

            await using var registry = await cli.OpenAsync(result, token, tls: tls);
            var monitor = registry.Get<IDeviceHealthMonitor>();
            var samples = await monitor.CheckAsync(deviceFilter, token);
            var health = Polled(monitor, samples);
            await (output.IsJson ? output.WriteJsonAsync(health) : output.WriteAsync(Views.Health(health)));
            if (samples.Count == 0)
            {
                await output.StatusAsync("No device to poll: only active devices that are Configured, Testing or Active are polled.");
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

    private static async Task<int> WatchAsync(Cli cli, CliOutput output, ParseResult result, Modbus.ModbusTlsOptions? tls, CancellationToken cancellationToken)
    {
        var printer = new SamplePrinter(output);
        await using var registry = await cli.OpenAsync(result, cancellationToken, builder => builder.AddHealthObserver(printer), tls: tls);
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

    /// <summary>Prints each sample as the monitor takes it: a row (table, CSV) or a JSON line.</summary>
    private sealed class SamplePrinter(CliOutput output) : IDeviceHealthObserver
    {
        private RowStream? _rows;

        /// <summary>Prints the header (tables and CSV): before the first sample, so that a quiet fleet still shows one.</summary>
        public void Start() => _rows = output.BeginRows(Views.Health([]), Widths);

        public ValueTask OnSampledAsync(Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
        {
            var health = new DeviceHealth { DeviceId = device.Id, DeviceName = device.Name, State = device.State, Sample = sample };
            _rows?.Write(health, Views.Health([health]).Rows[0]);
            return ValueTask.CompletedTask;
        }
    }
}
