using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// The move to the archive on decommission is part of the decommission's transaction, in both write paths (one update,
/// a batch): when the archive refuses a row (a trigger stands in for a full disk or a constraint), the device stays
/// where it was, its history has no new entry, and no row has moved, although the health samples were moved before.
/// </summary>
public sealed class ArchiveTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly ContractSchema _schema = new(server);
    private PostgresDeviceStore _store = null!;
    private ServiceProvider _services = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await _schema.CreateAsync();
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(_store);
        _services = services.BuildServiceProvider();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _schema.DropAsync();
    }

    [Fact]
    public async Task Decommission_WhenTheTelemetryArchiveRefusesARow_FailsWholly_InBothWritePaths_AndMovesNothing()
    {
        var registry = _services.GetRequiredService<IDeviceRegistry>();
        var device = await registry.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        await _store.AppendHealthAsync([new DeviceHealthSample { DeviceId = device.Id, Timestamp = T0, Status = DeviceHealthStatus.Online }], Cancel);
        await _store.AppendTelemetryAsync([new TelemetryReading { DeviceId = device.Id, Timestamp = T0, Point = "soe", Value = 250 }], Cancel);
        var history = (await _store.GetHistoryAsync(device.Id, Cancel)).Count;
        var schema = _store.Schema;
        await server.ExecuteAsync($"""
            CREATE FUNCTION {schema}.refuse_archive() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'archive refused'; END $$;
            CREATE TRIGGER refuse_archive BEFORE INSERT ON {schema}.device_telemetry_archive FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_archive();
            """);

        await Assert.ThrowsAnyAsync<Exception>(async () => await registry.DecommissionAsync(device.Id, "end of life", "test", Cancel));
        await AssertNothingMovedAsync();

        var retired = device with { State = DeviceState.Decommissioned, Active = false, Version = device.Version + 1, UpdatedAt = T0 };
        var entry = new DeviceHistoryEntry
        {
            DeviceId = device.Id, Version = retired.Version, Kind = DeviceChangeKind.Transitioned, FromState = DeviceState.Active,
            ToState = DeviceState.Decommissioned, Trigger = DeviceTrigger.Decommission, Actor = "test", Timestamp = T0,
        };
        await Assert.ThrowsAnyAsync<Exception>(async () => await _store.UpdateManyAsync([new DeviceWrite(retired, entry)], Cancel));
        await AssertNothingMovedAsync();

        // Without the trigger the batch goes through and moves both.
        await server.ExecuteAsync($"DROP TRIGGER refuse_archive ON {schema}.device_telemetry_archive");
        Assert.Equal([DeviceWriteOutcome.Written], await _store.UpdateManyAsync([new DeviceWrite(retired, entry)], Cancel));
        Assert.Empty(await _store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Single(await _store.GetArchivedHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        Assert.Single(await _store.GetArchivedTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));

        async Task AssertNothingMovedAsync()
        {
            Assert.Equal(DeviceState.Active, (await _store.GetAsync(device.Id, Cancel))!.State);
            Assert.Equal(history, (await _store.GetHistoryAsync(device.Id, Cancel)).Count);
            Assert.Single(await _store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
            Assert.Single(await _store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
            Assert.Empty(await _store.GetArchivedHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
            Assert.Empty(await _store.GetArchivedTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        }
    }
}
