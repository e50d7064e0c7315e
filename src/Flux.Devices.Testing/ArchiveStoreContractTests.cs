using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>
/// The contract of <see cref="IDeviceArchiveStore"/>: a device's health samples and telemetry leave the hot series for
/// the archive in the write that decommissions it, in every path (the registry, a batch of updates), and are read back
/// from the archive. Derive a test class and return a fresh empty store from <c>CreateStoreAsync</c>; the store is a
/// whole <see cref="IDeviceStore"/> (the move is part of its device writes).
/// </summary>
public abstract class ArchiveStoreContractTests : StoreContractTests<IDeviceArchiveStore>
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The contract: decommissioning through the registry moves the device's rows, and only its rows, to the archive.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task Decommission_MovesTheDevicesHealthAndTelemetryToTheArchive_AndLeavesOtherDevices()
    {
        var store = Whole();
        var a = await WalkToAsync(ContractSamples.Bess("A"), DeviceState.Active);
        var b = await WalkToAsync(ContractSamples.Bess("B"), DeviceState.Active);
        await AppendAsync(store, a.Id);
        await AppendAsync(store, b.Id);

        await Registry.DecommissionAsync(a.Id, "end of life", "contract");

        Assert.Empty(await store.GetHealthAsync(a.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Null(await store.GetLatestHealthAsync(a.Id));
        Assert.Empty(await store.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal([b.Id], (await store.ListLatestHealthAsync()).Select(s => s.DeviceId));

        var health = await Store.GetArchivedHealthAsync(a.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(new[] { 0, 1, 2 }, health.Select(s => (int)(s.Timestamp - T0).TotalMinutes));
        Assert.All(health, s => Assert.Equal(DeviceHealthStatus.Online, s.Status));
        Assert.Equal(12, health[0].ResponseTimeMs);
        var telemetry = await Store.GetArchivedTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(
            new[] { (0, "soe", 0.0), (0, "status", 1.0), (1, "soe", 1.0), (1, "status", 1.0), (2, "soe", 2.0), (2, "status", 1.0) },
            telemetry.Select(r => ((int)(r.Timestamp - T0).TotalMinutes, r.Point, r.Value!.Value)));
        Assert.All(telemetry, r => Assert.Equal(a.Id, r.DeviceId));

        // The other device keeps its rows hot and has nothing archived.
        Assert.Equal(3, (await store.GetHealthAsync(b.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
        Assert.Equal(6, (await store.GetTelemetryAsync(b.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
        Assert.Empty(await Store.GetArchivedHealthAsync(b.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Empty(await Store.GetArchivedTelemetryAsync(b.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    /// <summary>The contract: a lifecycle move other than to Decommissioned leaves the rows hot.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task OtherMoves_LeaveTheRowsInTheHotSeries()
    {
        var store = Whole();
        var a = await WalkToAsync(ContractSamples.Bess("A"), DeviceState.Active);
        await AppendAsync(store, a.Id);

        await Registry.FireAsync(a.Id, DeviceTrigger.EnterMaintenance, "inspection", "contract");

        Assert.Equal(3, (await store.GetHealthAsync(a.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
        Assert.Equal(6, (await store.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
        Assert.Empty(await Store.GetArchivedHealthAsync(a.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Empty(await Store.GetArchivedTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    /// <summary>The contract: a batch of updates that decommissions a device moves its rows too, with the other writes of the batch.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateManyAsync_Decommissioning_MovesTheRows()
    {
        var store = Whole();
        var a = await WalkToAsync(ContractSamples.Bess("A"), DeviceState.Active);
        var b = await WalkToAsync(ContractSamples.Bess("B"), DeviceState.Active);
        await AppendAsync(store, a.Id);
        await AppendAsync(store, b.Id);

        var retired = a with { State = DeviceState.Decommissioned, Active = false, Version = a.Version + 1, UpdatedAt = Time.GetUtcNow() };
        var renamedNot = b with { Version = b.Version + 1, UpdatedAt = Time.GetUtcNow() };
        var outcomes = await store.UpdateManyAsync(
        [
            new DeviceWrite(retired, Move(retired, DeviceState.Active)),
            new DeviceWrite(renamedNot, Move(renamedNot, DeviceState.Active)),
        ]);

        Assert.Equal([DeviceWriteOutcome.Written, DeviceWriteOutcome.Written], outcomes);
        Assert.Empty(await store.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal(3, (await Store.GetArchivedHealthAsync(a.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
        Assert.Equal(6, (await Store.GetArchivedTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
        Assert.Equal(6, (await store.GetTelemetryAsync(b.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
    }

    /// <summary>The contract: archived telemetry is read back by point and time range as the hot series is.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task GetArchived_FiltersByPointAndRange()
    {
        var store = Whole();
        var a = await WalkToAsync(ContractSamples.Bess("A"), DeviceState.Active);
        await AppendAsync(store, a.Id);
        await Registry.DecommissionAsync(a.Id, "end of life", "contract");

        var soe = await Store.GetArchivedTelemetryAsync(a.Id, ["soe"], T0.AddMinutes(1), T0.AddMinutes(2));
        Assert.Equal([(T0.AddMinutes(1), "soe", 1.0)], soe.Select(r => (r.Timestamp, r.Point, r.Value!.Value)));
        Assert.Equal(new[] { 1 }, (await Store.GetArchivedHealthAsync(a.Id, T0.AddMinutes(1), T0.AddMinutes(2))).Select(s => (int)(s.Timestamp - T0).TotalMinutes));
        Assert.Empty(await Store.GetArchivedTelemetryAsync(Guid.NewGuid(), null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    private IDeviceStore Whole() => Assert.IsAssignableFrom<IDeviceStore>(Store);

    private static async Task AppendAsync(IDeviceStore store, Guid deviceId)
    {
        await store.AppendHealthAsync([.. Enumerable.Range(0, 3).Select(m => new DeviceHealthSample { DeviceId = deviceId, Timestamp = T0.AddMinutes(m), Status = DeviceHealthStatus.Online, ResponseTimeMs = 12 })]);
        await store.AppendTelemetryAsync([.. Enumerable.Range(0, 3).SelectMany(m => new[]
        {
            new TelemetryReading { DeviceId = deviceId, Point = "soe", Value = m, Timestamp = T0.AddMinutes(m) },
            new TelemetryReading { DeviceId = deviceId, Point = "status", Value = 1, Timestamp = T0.AddMinutes(m) },
        })]);
    }

    private DeviceHistoryEntry Move(Device device, DeviceState from) => new()
    {
        DeviceId = device.Id,
        Version = device.Version,
        Kind = device.State == from ? DeviceChangeKind.Updated : DeviceChangeKind.Transitioned,
        FromState = from,
        ToState = device.State,
        Reason = "contract",
        Actor = "contract",
        Timestamp = Time.GetUtcNow(),
    };
}
