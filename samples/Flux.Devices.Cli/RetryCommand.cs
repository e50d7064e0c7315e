using System.CommandLine;
using Flux.Devices.Health;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices retry DEVICE</c>: probes one Failed device now, as the health monitor does on its backoff (one poll; its
/// health sample is recorded), and prints its health. When it answers it moves Failed → Testing → Active (both moves in its
/// history). Exit code 1, as <c>flux devices read</c>, when it does not answer (it stays Failed) or is not Failed.
/// </summary>
internal static class RetryCommand
{
    public static Command Build(Cli cli, Argument<string> device)
    {
        var retry = new Command("retry", "Probe a Failed device now; when it answers it moves Failed -> Testing -> Active.") { device };
        var tlsFiles = TransportOptions.AddFilesTo(retry);
        retry.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var tls = tlsFiles.ReadFiles(result);
            await using var registry = await cli.OpenAsync(result, token, tls: tls);
            var typed = result.GetValue(device)!;
            var found = await registry.FindAsync(typed, token);
            if (found.State != DeviceState.Failed || !found.Active)
            {
                await output.Console.Error.WriteLineAsync(found.State != DeviceState.Failed
                    ? $"flux: {typed} is {found.State}: only a Failed device is retried."
                    : $"flux: {typed} is inactive (active: false): it is not polled; `flux devices update {typed} --active true` to poll it.");
                return FluxCli.Failed;
            }

            var monitor = registry.Get<IDeviceHealthMonitor>();
            var samples = await monitor.CheckAsync(new DeviceFilter { Names = [found.Name] }, token);
            var sample = samples.SingleOrDefault(s => s.DeviceId == found.Id);
            if (sample is not null)
            {
                var health = HealthCommand.Polled(monitor, [sample]);
                await (output.IsJson ? output.WriteJsonAsync(health) : output.WriteAsync(Views.Health(health)));
            }

            if (sample is null || sample.Status == DeviceHealthStatus.Offline)
            {
                await output.Console.Error.WriteLineAsync($"flux: {typed} did not answer: {(sample?.Diagnostics?.Error ?? "it was not polled (it moved meanwhile)").TrimEnd('.')}; it stays Failed.");
                return FluxCli.Failed;
            }

            return FluxCli.Ok;
        }, token));
        return retry;
    }
}
