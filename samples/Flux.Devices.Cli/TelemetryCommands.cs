using System.CommandLine;
using System.Globalization;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices telemetry DEVICE [--point P] [--since 1h] [--until TIME]</c>: a device's stored readings, oldest first;
/// and <c>flux retention run</c>: deletes the health samples and telemetry older than their windows, once.
/// </summary>
internal static class TelemetryCommands
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static Command BuildTelemetry(Cli cli, Argument<string> device)
    {
        var point = new Option<string[]>("--point")
        {
            Description = "Only this point (soe, target_power); repeatable, or a comma list. Every point when not given.",
            AllowMultipleArgumentsPerToken = true,
        };
        var since = new Option<string>("--since")
        {
            Description = "The start: a duration back from now (1h, 30m, 2 days) or a time (2024-01-01T08:00:00Z). [default: 1h]",
            DefaultValueFactory = _ => "1h",
        };
        var until = new Option<string?>("--until") { Description = "The end, excluded: a duration back from now or a time. [default: now]" };
        var telemetry = new Command("telemetry", "Print a device's stored telemetry readings in a time range, oldest first (then by point).") { device, point, since, until };
        telemetry.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var points = (result.GetValue(point) ?? [])
                .SelectMany(p => p.Split(',', StringSplitOptions.TrimEntries))
                .Select(p => p.Length > 0 ? p : throw new UsageException("--point: a point name is not empty (--point soe,status)."))
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            await using var registry = await cli.OpenAsync(result, token);
            var now = registry.Get<TimeProvider>().GetUtcNow();
            var from = When("--since", result.GetValue(since)!, now);
            var to = result.GetValue(until) is { } text ? When("--until", text, now) : now.AddTicks(1); // a reading taken now is included
            if (to < from)
            {
                throw new UsageException($"--until {Time(to)} is before --since {Time(from)}.");
            }

            var found = await registry.FindAsync(result.GetValue(device)!, token);
            var readings = await registry.Get<ITelemetryStore>().GetTelemetryAsync(found.Id, points, from, to, token);
            // The store keeps values only: the units are those of the device's configuration (its map, or its SunSpec models).
            Func<string, string?> unitOf = DeviceConfiguration.TryRead(found.Metadata, out var configuration) ? configuration.UnitOf : _ => null;
            if (output.IsJson)
            {
                await output.WriteJsonAsync(readings.Select(r => new StoredReading(found.Name, r.DeviceId, r.Timestamp, r.Point, r.Value!.Value, unitOf(r.Point))));
            }
            else
            {
                await output.WriteAsync(Readings(readings, unitOf));
            }

            if (readings.Count == 0)
            {
                await output.StatusAsync($"No telemetry stored for {found.Name} from {Time(from)} to {Time(to)}{(points.Length > 0 ? $" for {string.Join(", ", points)}" : string.Empty)}: readings are stored while a device is Active and polled.");
            }

            return FluxCli.Ok;
        }, token));
        return telemetry;
    }

    public static Command BuildRetention(Cli cli)
    {
        var health = new Option<string>("--health-samples")
        {
            Description = "How long health samples are kept: a duration (30d, 12h, 90 days) or 'forever'. [default: 30d]",
            DefaultValueFactory = _ => "30d",
        };
        var telemetry = new Option<string>("--telemetry")
        {
            Description = "How long telemetry readings are kept: a duration or 'forever'. [default: 30d]",
            DefaultValueFactory = _ => "30d",
        };
        var batch = CliOptions.Whole("--batch-size", "The most rows one delete (one transaction) removes. [default: 10000]", 1, 1_000_000, 10_000);
        var run = new Command("run", "Delete the health samples and telemetry older than their windows now, in bounded batches; print what went.") { health, telemetry, batch };
        run.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var healthWindow = Window("--health-samples", result.GetValue(health)!);
            var telemetryWindow = Window("--telemetry", result.GetValue(telemetry)!);
            var batchSize = result.GetValue(batch);
            await using var registry = await cli.OpenAsync(result, token, builder => builder.Services.Configure<RetentionOptions>(o =>
            {
                o.HealthSamples = healthWindow;
                o.Telemetry = telemetryWindow;
                o.BatchSize = batchSize;
            }));
            var outcomes = await registry.Get<IDataRetention>().RunOnceAsync(token);
            if (output.IsJson)
            {
                await output.WriteJsonAsync(outcomes.Select(o => new RetentionRow(Series(o.Series), o.Window is { } w ? DurationText.Format(w) : null, o.Before, o.Deleted, o.Batches)));
            }
            else
            {
                var grid = new Grid("SERIES", "KEPT", "DELETED_BEFORE", "DELETED", "BATCHES");
                foreach (var o in outcomes)
                {
                    grid.Add(Series(o.Series), o.Window is { } w ? DurationText.Format(w) : "forever", o.Before is { } b ? Time(b) : string.Empty, CliOutput.Number(o.Deleted), CliOutput.Number(o.Batches));
                }

                await output.WriteAsync(grid);
            }

            return FluxCli.Ok;
        }, token));

        return new Command("retention", "Delete old health samples and telemetry (what AddRetention() does on a schedule in a host).") { run };
    }

    /// <summary>The readings as rows: time (UTC, to the microsecond), point, value (round-trip precision), unit (from the device's configuration).</summary>
    public static Grid Readings(IEnumerable<TelemetryReading> readings, Func<string, string?> unitOf)
    {
        var grid = new Grid("TIME", "POINT", "VALUE", "UNIT");
        foreach (var reading in readings)
        {
            grid.Add(Time(reading.Timestamp), reading.Point, reading.Value!.Value.ToString("R", CultureInfo.InvariantCulture), unitOf(reading.Point) ?? string.Empty);
        }

        return grid;
    }

    /// <summary>A bound: a duration back from now, or a time (UTC unless it says otherwise).</summary>
    private static DateTimeOffset When(string option, string text, DateTimeOffset now)
    {
        if (DurationText.TryParse(text, out var ago))
        {
            return ago > now - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : now - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new UsageException($"{option} '{text}': not a duration back from now (1h, 30m, 2 days) or a time (2024-01-01T08:00:00Z).");
    }

    /// <summary>A retention window: a duration of at least a minute, or <c>forever</c> (<see langword="null"/>).</summary>
    private static TimeSpan? Window(string option, string text)
    {
        if (string.Equals(text.Trim(), "forever", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!DurationText.TryParse(text, out var window))
        {
            throw new UsageException($"{option} '{text}': not a duration (30d, 12h, 90 days) or 'forever'.");
        }

        return window >= TimeSpan.FromMinutes(1) && window <= TimeSpan.FromDays(36_500)
            ? window
            : throw new UsageException($"{option} '{text}': keep rows from 1 minute to 36500 days, or 'forever'.");
    }

    private static string Series(RetainedSeries series) => series == RetainedSeries.HealthSamples ? "health_samples" : "telemetry";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>A reading as <c>--output json</c> prints it.</summary>
    private sealed record StoredReading(string Device, Guid DeviceId, DateTimeOffset Timestamp, string Point, double Value, string? Unit);

    /// <summary>A series' outcome as <c>--output json</c> prints it.</summary>
    private sealed record RetentionRow(string Series, string? Kept, DateTimeOffset? DeletedBefore, long Deleted, int Batches);
}
