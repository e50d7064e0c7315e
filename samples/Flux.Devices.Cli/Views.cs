using System.Globalization;
using System.Text.Json;
using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Telemetry;
using Flux.Devices.Templates;

namespace Flux.Devices.Cli;

/// <summary>The grids the commands and the demo print: devices, a device, history, a template plan, health, groups.</summary>
internal static class Views
{
    public static Grid Devices(IEnumerable<Device> devices)
    {
        var grid = new Grid("NAME", "TYPE", "SITE", "STATE", "ACTIVE", "VERSION");
        foreach (var d in devices)
        {
            grid.Add(d.Name, d.Type, d.Site, State(d.State), d.Active.ToString(), CliOutput.Number(d.Version));
        }

        return grid;
    }

    /// <summary>One device as field and value rows, each metadata key on a row of its own (<c>metadata.capacity_kwh</c>).</summary>
    public static Grid Device(Device device)
    {
        var grid = new Grid("FIELD", "VALUE")
            .Add("id", device.Id.ToString())
            .Add("name", device.Name)
            .Add("type", device.Type)
            .Add("site", device.Site)
            .Add("state", State(device.State))
            .Add("active", device.Active.ToString())
            .Add("version", CliOutput.Number(device.Version))
            .Add("created_at", Time(device.CreatedAt))
            .Add("updated_at", Time(device.UpdatedAt));
        foreach (var (key, value) in device.Metadata)
        {
            grid.Add($"metadata.{key}", value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
        }

        return grid;
    }

    public static Grid History(IEnumerable<DeviceHistoryEntry> entries)
    {
        var grid = new Grid("VERSION", "TIME", "KIND", "CHANGE", "TRIGGER", "ACTOR", "REASON");
        foreach (var entry in entries)
        {
            var change = entry.Control is { } control
                ? $"{control.Point}={control.Value.ToString("R", CultureInfo.InvariantCulture)} {control.Outcome}"
                : entry.FromState is { } from && from != entry.ToState
                ? $"{from} -> {entry.ToState}"
                : entry.ChangedFields.Count > 0 ? string.Join(' ', entry.ChangedFields) : entry.ToState.ToString();
            grid.Add(CliOutput.Number(entry.Version), Time(entry.Timestamp), entry.Kind.ToString(), change, entry.Trigger?.ToString() ?? string.Empty, entry.Actor ?? string.Empty, entry.Reason ?? string.Empty);
        }

        return grid;
    }

    public static Grid Plan(TemplatePlan plan)
    {
        var grid = new Grid("DEVICE", "STATE", "ACTION", "DETAIL");
        foreach (var item in plan.Items)
        {
            var style = item.Action switch
            {
                TemplatePlanAction.Configure or TemplatePlanAction.Update => "yellow",
                TemplatePlanAction.Skip => "grey",
                _ => null,
            };
            grid.Add(item.Device.Name, State(item.Device.State), new Cell(item.Action.ToString(), style), item.Action == TemplatePlanAction.Skip ? item.Reason ?? string.Empty : string.Join(", ", item.Changes));
        }

        return grid;
    }

    public static string PlanSummary(TemplatePlan plan) => string.Create(
        CultureInfo.InvariantCulture,
        $"{plan.Items.Count} devices match \"{plan.Filter}\": {plan.ChangeCount} to change, {plan.Items.Count(i => i.Action == TemplatePlanAction.Unchanged)} unchanged, {plan.Items.Count(i => i.Action == TemplatePlanAction.Skip)} skipped.");

    /// <summary>Health rows; with <paramref name="points"/>, a column per point (before ERROR) with the device's latest reading of it.</summary>
    public static Grid Health(IEnumerable<DeviceHealth> health, IReadOnlyList<string>? points = null, Func<Guid, IReadOnlyList<TelemetryReading>>? latest = null)
    {
        points ??= [];
        var grid = new Grid(["TIME", "NAME", "STATUS", "MS", "ERRORS", "STATE", "LAST GOOD POLL", .. points.Select(p => p.ToUpperInvariant()), "ERROR"]);
        foreach (var (id, name, state, sample) in health.Select(h => (h.DeviceId, h.DeviceName, h.State, h.Sample)))
        {
            var status = sample.Status switch
            {
                DeviceHealthStatus.Online => "green",
                DeviceHealthStatus.Degraded => "yellow",
                _ => "red",
            };
            var readings = points.Count > 0 && latest is not null ? latest(id) : [];
            grid.Add(
            [
                Time(sample.Timestamp),
                name,
                new Cell(sample.Status.ToString(), status),
                sample.ResponseTimeMs is { } ms ? CliOutput.Number(ms) : string.Empty,
                CliOutput.Number(sample.ErrorCount),
                State(state),
                sample.LastSuccessfulPoll is { } good ? Time(good) : string.Empty,
                .. points.Select(p => readings.FirstOrDefault(r => r.Point == p) is { } reading ? Reading(reading) : new Cell(string.Empty)),
                sample.Diagnostics?.Error ?? string.Empty,
            ]);
        }

        return grid;
    }

    /// <summary>
    /// Readings as rows: point, value, unit, quality, time. With <paramref name="symbolOf"/> (a SunSpec configuration's
    /// <see cref="Templates.DeviceConfiguration.SymbolOf"/>), a value with a symbol is followed by it: <c>4 (CHARGING)</c>.
    /// </summary>
    public static Grid Readings(IEnumerable<TelemetryReading> readings, Func<string, double, string?>? symbolOf = null)
    {
        var grid = new Grid("POINT", "VALUE", "UNIT", "QUALITY", "TIME");
        foreach (var reading in readings)
        {
            var value = Value(reading);
            if (Symbol(reading, symbolOf) is { } symbol)
            {
                value = $"{value} ({symbol})";
            }

            grid.Add(reading.Point, value, reading.Unit ?? string.Empty, Quality(reading.Quality), Time(reading.Timestamp));
        }

        return grid;
    }

    /// <summary>A reading as JSON: point, value (or text), its symbol (an enumeration's or a bitfield's names; null without), unit, quality in snake case, time.</summary>
    public static object ReadingJson(TelemetryReading reading, Func<string, double, string?>? symbolOf = null) => new
    {
        point = reading.Point,
        value = reading.Value,
        text = reading.Text,
        symbol = Symbol(reading, symbolOf),
        unit = reading.Unit,
        quality = JsonNamingPolicy.SnakeCaseLower.ConvertName(reading.Quality.ToString()),
        timestamp = reading.Timestamp,
    };

    private static string? Symbol(TelemetryReading reading, Func<string, double, string?>? symbolOf) =>
        symbolOf is not null && reading.Value is { } value && reading.Quality != TelemetryQuality.NotAvailable ? symbolOf(reading.Point, value) : null;

    /// <summary>A reading in a cell: its value and unit, <c>n/a</c> when not available, <c>(stale)</c> after it when stale.</summary>
    private static Cell Reading(TelemetryReading reading)
    {
        var text = reading.Quality == TelemetryQuality.NotAvailable ? "n/a" : reading.Unit is { } unit ? $"{Value(reading)} {unit}" : Value(reading);
        return reading.Quality == TelemetryQuality.Stale ? new Cell($"{text} (stale)", "grey") : new Cell(text);
    }

    private static string Value(TelemetryReading reading) =>
        reading.Value is { } value ? value.ToString("G10", CultureInfo.InvariantCulture) : reading.Text ?? string.Empty;

    private static Cell Quality(TelemetryQuality quality) => quality switch
    {
        TelemetryQuality.Good => new Cell("good", "green"),
        TelemetryQuality.NotAvailable => new Cell("not_available", "yellow"),
        _ => new Cell("stale", "grey"),
    };

    public static Grid Groups(IEnumerable<(DeviceGroup Group, int Members)> groups)
    {
        var grid = new Grid("NAME", "SITE", "TYPE", "MEMBERS", "CREATED");
        foreach (var (group, members) in groups)
        {
            grid.Add(group.Name, group.Site, group.GroupType.ToString(), CliOutput.Number(members), Time(group.CreatedAt));
        }

        return grid;
    }

    public static Grid Members(IEnumerable<(DeviceGroupMember Member, Device Device)> members)
    {
        var grid = new Grid("DEVICE", "TYPE", "ROLE", "PRIORITY", "STATE");
        foreach (var (member, device) in members)
        {
            grid.Add(device.Name, device.Type, member.Role.ToString(), CliOutput.Number(member.Priority), State(device.State));
        }

        return grid;
    }

    private static Cell State(DeviceState state) => new(state.ToString(), state switch
    {
        DeviceState.Active => "green",
        DeviceState.Failed => "red",
        DeviceState.Maintenance => "yellow",
        DeviceState.Decommissioned => "grey",
        _ => "blue",
    });

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
