using System.CommandLine;
using Flux.Devices.Health;
using Flux.Devices.Telemetry;
using Flux.Devices.Templates;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices read DEVICE [--point P]...</c>: polls one Active device now (one poll, as the health monitor makes it:
/// its health sample is recorded) and prints its telemetry readings with their units, the named points or all. Exit code
/// 1 when the device does not answer, or is not Active (only an Active device gives telemetry); 2 for a point its
/// register map does not have. A SunSpec device's enumerations and bitfields are followed by their symbols.
/// </summary>
internal static class ReadCommand
{
    public static Command Build(Cli cli, Argument<string> device)
    {
        var point = new Option<string[]>("--point")
        {
            Description = "A point to print (soe); repeatable, or a comma list (soe,status). All the device's points without it.",
            AllowMultipleArgumentsPerToken = true,
        };
        var read = new Command("read", "Poll an Active device now and print its readings (value, unit, quality) from its register map.") { device, point };
        var tlsFiles = TransportOptions.AddFilesTo(read);
        read.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var points = Points(result.GetValue(point), "--point");
            var tls = tlsFiles.ReadFiles(result);
            await using var registry = await cli.OpenAsync(result, token, tls: tls);
            var found = await registry.FindAsync(result.GetValue(device)!, token);
            var typed = result.GetValue(device)!;
            // A SunSpec configuration's points are checked after the poll: which of them a device has depends on its models.
            if (DeviceConfiguration.TryRead(found.Metadata, out var configuration) && !configuration.IsSunSpec)
            {
                CheckPoints(points, typed, [.. configuration.RegisterMap.Registers.Select(r => r.Name)]);
            }

            if (found.State != DeviceState.Active || !found.Active)
            {
                await output.Console.Error.WriteLineAsync(found.State != DeviceState.Active
                    ? $"flux: {typed} is {found.State}: only an Active device gives telemetry."
                    : $"flux: {typed} is inactive (active: false): it is not polled; `flux devices update {typed} --active true` to poll it.");
                return FluxCli.Failed;
            }

            var sample = (await registry.Get<IDeviceHealthMonitor>().CheckAsync(new DeviceFilter { Names = [found.Name] }, token)).SingleOrDefault(s => s.DeviceId == found.Id);
            if (sample is null || sample.Status == DeviceHealthStatus.Offline)
            {
                await output.Console.Error.WriteLineAsync($"flux: {typed} did not answer: {(sample?.Diagnostics?.Error ?? "it was not polled (it moved meanwhile)").TrimEnd('.')}.");
                return FluxCli.Failed;
            }

            var readings = registry.Get<IDeviceTelemetry>().GetLatest(found.Id);
            CheckPoints(points, typed, [.. readings.Select(r => r.Point)]);
            var shown = points.Count == 0 ? readings : [.. points.Select(p => readings.First(r => r.Point == p))];
            // The symbols of SunSpec enumerations and bitfields, from the model definitions (the values are kept as read).
            var symbolOf = DeviceConfiguration.TryRead(found.Metadata, out var polled) && polled.IsSunSpec ? polled.SymbolOf : (Func<string, double, string?>?)null;
            await (output.IsJson ? output.WriteJsonAsync(shown.Select(r => Views.ReadingJson(r, symbolOf))) : output.WriteAsync(Views.Readings(shown, symbolOf)));
            return FluxCli.Ok;
        }, token));
        return read;
    }

    /// <summary>The point names of repeated and comma-separated options, without repeats, in the order given.</summary>
    /// <exception cref="UsageException">A name is blank.</exception>
    public static List<string> Points(IEnumerable<string>? given, string option)
    {
        var points = new List<string>();
        foreach (var name in (given ?? []).SelectMany(g => g.Split(',')))
        {
            var trimmed = name.Trim();
            if (trimmed.Length == 0)
            {
                throw new UsageException($"{option}: give point names, such as {option} soe,status.");
            }

            if (!points.Contains(trimmed, StringComparer.Ordinal))
            {
                points.Add(trimmed);
            }
        }

        return points;
    }

    /// <exception cref="UsageException">A point is not one of the device's.</exception>
    private static void CheckPoints(List<string> points, string device, List<string> known)
    {
        if (points.FirstOrDefault(p => !known.Contains(p, StringComparer.Ordinal)) is { } unknown)
        {
            throw new UsageException($"--point {unknown}: {device} has no such point; its points are {string.Join(", ", known)}.");
        }
    }
}
