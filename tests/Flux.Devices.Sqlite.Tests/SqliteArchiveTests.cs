using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

/// <summary>
/// The move to the archive on decommission is part of the decommission's transaction: when the archive refuses a row
/// (a trigger stands in for a full disk or a constraint), the device stays where it was and no row has moved.
/// </summary>
public sealed class SqliteArchiveTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Decommission_WhenTheTelemetryArchiveRefusesARow_FailsWholly_AndMovesNothing()
    {
        var path = Path.Combine(_directory, "site.db");
        var store = new SqliteDeviceStore(path);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(store);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = await registry.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        await store.AppendHealthAsync([new DeviceHealthSample { DeviceId = device.Id, Timestamp = T0, Status = DeviceHealthStatus.Online }], Cancel);
        await store.AppendTelemetryAsync([new TelemetryReading { DeviceId = device.Id, Timestamp = T0, Point = "soe", Value = 250 }], Cancel);
        var history = (await store.GetHistoryAsync(device.Id, Cancel)).Count;

        // The health samples are moved first, the telemetry second: the failure comes after a part of the move was made.
        await ExecuteAsync(path, "CREATE TRIGGER refuse_archive BEFORE INSERT ON device_telemetry_archive BEGIN SELECT RAISE(ABORT, 'archive refused'); END");
        await Assert.ThrowsAnyAsync<Exception>(async () => await registry.DecommissionAsync(device.Id, "end of life", "test", Cancel));

        Assert.Equal(DeviceState.Active, (await store.GetAsync(device.Id, Cancel))!.State);
        Assert.Equal(history, (await store.GetHistoryAsync(device.Id, Cancel)).Count);
        Assert.Single(await store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Single(await store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Empty(await store.GetArchivedHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Empty(await store.GetArchivedTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));

        // Without the trigger the same decommission goes through and moves both.
        await ExecuteAsync(path, "DROP TRIGGER refuse_archive");
        await registry.DecommissionAsync(device.Id, "end of life", "test", Cancel);
        Assert.Empty(await store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Single(await store.GetArchivedHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Single(await store.GetArchivedTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
