using System.Text.Json;
using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// <c>flux devices decommission</c> moves a device's rows to the archive (the command line's path to the store), and
/// <c>flux devices archive</c> exports any device's record, history, health and telemetry, hot and archived, as JSON Lines.
/// </summary>
public sealed class ArchiveCommandTests : FluxTestBed
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);

    public override async ValueTask InitializeAsync()
    {
        await WithStoreAsync(async (registry, store) =>
        {
            foreach (var (name, address) in new[] { ("WLCE-BESS-1", 1), ("WLCE-BESS-2", 2) })
            {
                var device = await registry.WalkToAsync(SpecSamples.Bess(name, modbusAddress: address), DeviceState.Active);
                await store.AppendHealthAsync([.. Enumerable.Range(0, 2).Select(m => new DeviceHealthSample { DeviceId = device.Id, Timestamp = T0.AddMinutes(m), Status = DeviceHealthStatus.Online, ResponseTimeMs = 9 })], Cancel);
                await store.AppendTelemetryAsync([.. Enumerable.Range(0, 3).Select(m => new TelemetryReading { DeviceId = device.Id, Timestamp = T0.AddMinutes(m), Point = "soe", Value = 100 + m })], Cancel);
            }
        });
    }

    [Fact]
    public async Task Decommission_ThenArchive_MovesTheRowsToTheArchive_AndExportsThemWithHistory()
    {
        var (code, _, error) = await FluxProcess.RunAsync("devices", "decommission", "WLCE-BESS-1", "--reason", "end of life", "--store", Store);
        Assert.True(code == FluxCli.Ok, error);
        await WithStoreAsync(async (registry, store) =>
        {
            var device = (await registry.GetByNameAsync("WLCE-BESS-1", Cancel))!;
            Assert.Empty(await store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
            Assert.Empty(await store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
            var archive = Assert.IsAssignableFrom<IDeviceArchiveStore>(store);
            Assert.Equal(3, (await archive.GetArchivedTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Count);
            Assert.Equal(2, (await archive.GetArchivedHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Count);
        });

        var file = Path.Combine(Directory, "bess-1.jsonl");
        (code, var output, error) = await FluxProcess.RunAsync("devices", "archive", "WLCE-BESS-1", "--output", file, "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.Equal(string.Empty, output);
        var lines = (await File.ReadAllLinesAsync(file, Cancel)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal($"WLCE-BESS-1: {lines.Count} lines to {file}: 1 device, {lines.Count - 6} history, 2 health (2 archived), 3 telemetry (3 archived).\n", error);
        Assert.Equal("device", lines[0].GetProperty("kind").GetString());
        Assert.Equal("decommissioned", lines[0].GetProperty("state").GetString());
        var history = lines.Where(l => l.GetProperty("kind").GetString() == "history").ToList();
        Assert.Equal("registered", history[0].GetProperty("history_kind").GetString());
        Assert.Equal(("decommissioned", "end of life"), (history[^1].GetProperty("to_state").GetString(), history[^1].GetProperty("reason").GetString()));
        var health = lines.Where(l => l.GetProperty("kind").GetString() == "health").ToList();
        Assert.Equal([(T0, true), (T0.AddMinutes(1), true)], health.Select(h => (h.GetProperty("timestamp").GetDateTimeOffset(), h.GetProperty("archived").GetBoolean())));
        var telemetry = lines.Where(l => l.GetProperty("kind").GetString() == "telemetry").ToList();
        Assert.Equal([100.0, 101.0, 102.0], telemetry.Select(t => t.GetProperty("value").GetDouble()));
        Assert.All(telemetry, t => Assert.True(t.GetProperty("archived").GetBoolean()));
        Assert.All(telemetry, t => Assert.Equal("soe", t.GetProperty("point").GetString()));
        Assert.Equal(1 + history.Count + health.Count + telemetry.Count, lines.Count);
    }

    [Fact]
    public async Task Archive_OfADeviceStillInService_ExportsItsHotRows()
    {
        var file = Path.Combine(Directory, "bess-2.jsonl");
        var (code, _, error) = await FluxProcess.RunAsync("devices", "archive", "WLCE-BESS-2", "-o", file, "--store", Store);

        Assert.True(code == FluxCli.Ok, error);
        var lines = (await File.ReadAllLinesAsync(file, Cancel)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("active", lines[0].GetProperty("state").GetString());
        var series = lines.Where(l => l.GetProperty("kind").GetString() is "health" or "telemetry").ToList();
        Assert.Equal(5, series.Count);
        Assert.All(series, l => Assert.False(l.GetProperty("archived").GetBoolean()));
    }

    [Fact]
    public async Task Archive_OntoAFileThatExists_IsRefused_AndLeavesTheFileAsItWas()
    {
        var file = Path.Combine(Directory, "taken.jsonl");
        await File.WriteAllTextAsync(file, "keep me\n", Cancel);

        var (code, _, error) = await FluxProcess.RunAsync("devices", "archive", "WLCE-BESS-2", "--output", file, "--store", Store);

        Assert.Equal(FluxCli.Usage, code);
        Assert.Equal($"flux: --output {file}: the file exists; the archive never overwrites one (remove it or give another name).\n", error);
        Assert.Equal("keep me\n", await File.ReadAllTextAsync(file, Cancel));
        Assert.Equal(["flux.db", "taken.jsonl"], System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).Where(f => !f!.StartsWith("flux.db-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    private async Task WithStoreAsync(Func<IDeviceRegistry, IDeviceStore, Task> work)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(Store);
        await using var provider = services.BuildServiceProvider(); // disposing it releases the file
        await work(provider.GetRequiredService<IDeviceRegistry>(), provider.GetRequiredService<IDeviceStore>());
    }
}
