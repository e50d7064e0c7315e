using System.Text.Json;
using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli.Tests;

/// <summary><c>flux devices telemetry</c> (stored readings) and <c>flux retention run</c>, on a SQLite store prepared through the library.</summary>
public sealed class StoredTelemetryCommandTests : FluxTestBed
{
    // The readings are placed against the real clock, with margins of many minutes around --since (the command's "now").
    private readonly DateTimeOffset _now = StoredTime.ToMicroseconds(DateTimeOffset.UtcNow);

    public override async ValueTask InitializeAsync()
    {
        await WithStoreAsync(async (registry, store) =>
        {
            var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
            await store.AppendTelemetryAsync(
            [
                Reading(device.Id, "soe", -120, 1),
                Reading(device.Id, "soe", -30, 250.5),
                Reading(device.Id, "status", -30, 3),
                Reading(device.Id, "soe", -5, 4),
                Reading(device.Id, "soe", -40 * 24 * 60, 0.25),
            ], Cancel);
            await store.AppendHealthAsync(
            [
                new DeviceHealthSample { DeviceId = device.Id, Timestamp = _now.AddDays(-40), Status = DeviceHealthStatus.Online },
                new DeviceHealthSample { DeviceId = device.Id, Timestamp = _now.AddDays(-1), Status = DeviceHealthStatus.Online },
            ], Cancel);
        });
    }

    [Fact]
    public async Task Telemetry_ByDefault_PrintsTheLastHourOldestFirstThenByPoint()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "telemetry", "WLCE-BESS-01", "--store", Store);

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var lines = output.TrimEnd().Split('\n');
        Assert.Matches(@"^TIME\s+POINT\s+VALUE\s+UNIT$", lines[0]); // no configuration: no unit
        Assert.Matches($@"^{Time(-30)}\s+soe\s+250\.5\s*$", lines[1]);
        Assert.Matches($@"^{Time(-30)}\s+status\s+3\s*$", lines[2]);
        Assert.Matches($@"^{Time(-5)}\s+soe\s+4\s*$", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task Telemetry_PointSinceAndFormatCsv_PrintThatPointOverTheRange()
    {
        var (code, output, _) = await FluxProcess.RunAsync("devices", "telemetry", "WLCE-BESS-01", "--point", "soe", "--since", "3h", "--format", "csv", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Equal($"time,point,value,unit\r\n{Time(-120)},soe,1,\r\n{Time(-30)},soe,250.5,\r\n{Time(-5)},soe,4,\r\n", output); // no configuration: no unit
    }

    [Fact]
    public async Task Telemetry_Json_PrintsTheReadingsWithTheDevice()
    {
        var (code, output, _) = await FluxProcess.RunAsync("devices", "telemetry", "WLCE-BESS-01", "--point", "status,soe", "--since", "1h", "--until", "10m", "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        var readings = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal([("soe", 250.5), ("status", 3.0)], readings.Select(r => (r.GetProperty("point").GetString()!, r.GetProperty("value").GetDouble())));
        Assert.All(readings, r => Assert.Equal("WLCE-BESS-01", r.GetProperty("device").GetString()));
        Assert.Equal(_now.AddMinutes(-30), readings[0].GetProperty("timestamp").GetDateTimeOffset());
    }

    [Fact]
    public async Task Telemetry_NothingInTheRange_PrintsTheHeaderAndSaysWhyOnStderr()
    {
        var (code, output, error) = await FluxProcess.RunAsync("devices", "telemetry", "WLCE-BESS-01", "--point", "available_blocks", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Matches(@"^TIME\s+POINT\s+VALUE\s+UNIT\s*$", output);
        Assert.StartsWith("No telemetry stored for WLCE-BESS-01 from ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telemetry_BadInput_NamesTheOptionOrTheDevice()
    {
        var unknown = await FluxProcess.RunAsync("devices", "telemetry", "NO-SUCH", "--store", Store);
        var since = await FluxProcess.RunAsync("devices", "telemetry", "WLCE-BESS-01", "--since", "soon", "--store", Store);
        var order = await FluxProcess.RunAsync("devices", "telemetry", "WLCE-BESS-01", "--since", "1h", "--until", "2h", "--store", Store);

        Assert.Equal(FluxCli.Failed, unknown.Code);
        Assert.Contains("NO-SUCH", unknown.Error, StringComparison.Ordinal);
        Assert.Equal((FluxCli.Usage, "flux: --since 'soon': not a duration back from now (1h, 30m, 2 days) or a time (2024-01-01T08:00:00Z).\n"), (since.Code, since.Error));
        Assert.Equal(FluxCli.Usage, order.Code);
        Assert.StartsWith("flux: --until ", order.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionRun_DeletesWhatIsOlderThanEachWindow_AndPrintsWhatWent()
    {
        var (code, output, error) = await FluxProcess.RunAsync("retention", "run", "--telemetry", "30d", "--health-samples", "forever", "--batch-size", "1", "--output", "csv", "--store", Store);

        Assert.Equal((FluxCli.Ok, string.Empty), (code, error));
        var rows = output.TrimEnd().Split("\r\n");
        Assert.Equal("series,kept,deleted_before,deleted,batches", rows[0]);
        Assert.Equal("health_samples,forever,,0,0", rows[1]);
        Assert.Matches(@"^telemetry,30 days,\d{4}-\d\d-\d\dT[\d:.]+Z,1,2$", rows[2]); // batches of one row: the row, then none
        var (_, left, _) = await FluxProcess.RunAsync("devices", "telemetry", "WLCE-BESS-01", "--since", "100 days", "--output", "csv", "--store", Store);
        Assert.Equal(5, left.TrimEnd().Split("\r\n").Length); // the header and the four readings of the last hours

        var (_, again, _) = await FluxProcess.RunAsync("retention", "run", "--output", "json", "--store", Store);
        var outcomes = JsonDocument.Parse(again).RootElement.EnumerateArray().ToList();
        Assert.Equal([("health_samples", 1L), ("telemetry", 0L)], outcomes.Select(o => (o.GetProperty("series").GetString()!, o.GetProperty("deleted").GetInt64())));
    }

    [Fact]
    public async Task RetentionRun_AWindowOutOfRange_IsBadUsageNamingTheOption()
    {
        var (code, _, error) = await FluxProcess.RunAsync("retention", "run", "--telemetry", "10s", "--store", Store);

        Assert.Equal((FluxCli.Usage, "flux: --telemetry '10s': keep rows from 1 minute to 36500 days, or 'forever'.\n"), (code, error));
    }

    private TelemetryReading Reading(Guid deviceId, string point, int minutes, double value) =>
        new() { DeviceId = deviceId, Point = point, Value = value, Timestamp = _now.AddMinutes(minutes) };

    private string Time(int minutes) => _now.AddMinutes(minutes).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task WithStoreAsync(Func<IDeviceRegistry, IDeviceStore, Task> work)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(Store);
        await using var provider = services.BuildServiceProvider(); // disposing it releases the file
        await work(provider.GetRequiredService<IDeviceRegistry>(), provider.GetRequiredService<IDeviceStore>());
    }
}
