using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>
/// The contract of <see cref="IRetentionStore"/>: deleting health samples and telemetry older than a cutoff, in bounded
/// batches. Derive a test class and return a fresh empty store from <c>CreateStoreAsync</c>; the store keeps both
/// series (it is an <see cref="IHealthSampleStore"/> and an <see cref="ITelemetryStore"/>), and the devices too when it
/// is a whole <see cref="IDeviceStore"/>.
/// </summary>
public abstract class RetentionStoreContractTests : StoreContractTests<IRetentionStore>
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The contract: <c>DeleteExpiredAsync</c>, telemetry: only rows before the cutoff go, at most the limit per call, health samples stay.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task DeleteExpiredAsync_Telemetry_DeletesRowsBeforeTheCutoffInBatches_AndLeavesHealthSamples()
    {
        var (samples, telemetry) = Series();
        var a = await AddDeviceAsync("A");
        var b = await AddDeviceAsync("B");
        foreach (var device in new[] { a, b })
        {
            await telemetry.AppendTelemetryAsync([.. Enumerable.Range(0, 5).SelectMany(m => new[] { Reading(device.Id, "soe", m), Reading(device.Id, "status", m) })]);
            await samples.AppendHealthAsync([.. Enumerable.Range(0, 5).Select(m => Sample(device.Id, m))]);
        }

        var cutoff = T0.AddMinutes(3); // minutes 0, 1 and 2 expire: 12 rows of 20
        Assert.Equal(5, await Store.DeleteExpiredAsync(RetainedSeries.Telemetry, cutoff, 5));
        Assert.Equal(5, await Store.DeleteExpiredAsync(RetainedSeries.Telemetry, cutoff, 5));
        Assert.Equal(2, await Store.DeleteExpiredAsync(RetainedSeries.Telemetry, cutoff, 5));
        Assert.Equal(0, await Store.DeleteExpiredAsync(RetainedSeries.Telemetry, cutoff, 5));

        foreach (var device in new[] { a, b })
        {
            var left = await telemetry.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            Assert.Equal(new[] { 3, 3, 4, 4 }, left.Select(r => (int)(r.Timestamp - T0).TotalMinutes));
            Assert.Equal(5, (await samples.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Count);
        }
    }

    /// <summary>The contract: <c>DeleteExpiredAsync</c>, health samples: a device whose samples all expired has no latest sample; telemetry stays.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task DeleteExpiredAsync_HealthSamples_DeletesRowsBeforeTheCutoff_AndLeavesTelemetry()
    {
        var (samples, telemetry) = Series();
        var a = await AddDeviceAsync("A");
        var b = await AddDeviceAsync("B");
        await samples.AppendHealthAsync([.. Enumerable.Range(0, 5).Select(m => Sample(a.Id, m)), Sample(b.Id, 1)]);
        await telemetry.AppendTelemetryAsync([Reading(a.Id, "soe", 0), Reading(b.Id, "soe", 0)]);

        Assert.Equal(3, await Store.DeleteExpiredAsync(RetainedSeries.HealthSamples, T0.AddMinutes(2), 100));

        Assert.Equal(new[] { 2, 3, 4 }, (await samples.GetHealthAsync(a.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Select(s => (int)(s.Timestamp - T0).TotalMinutes));
        Assert.Null(await samples.GetLatestHealthAsync(b.Id));
        Assert.Equal([a.Id], (await samples.ListLatestHealthAsync()).Select(s => s.DeviceId));
        Assert.Single(await telemetry.GetTelemetryAsync(b.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    /// <summary>The contract: <c>DeleteExpiredAsync</c>, the cutoff: a row at it is kept, a row a tick before it goes.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task DeleteExpiredAsync_Cutoff_KeepsARowAtItAndDeletesARowJustBefore()
    {
        var (_, telemetry) = Series();
        var a = await AddDeviceAsync("A");
        await telemetry.AppendTelemetryAsync([Reading(a.Id, "soe", 0), Reading(a.Id, "soe", 1)]);

        Assert.Equal(0, await Store.DeleteExpiredAsync(RetainedSeries.Telemetry, T0, 10));
        Assert.Equal(1, await Store.DeleteExpiredAsync(RetainedSeries.Telemetry, T0.AddTicks(1), 10));
        Assert.Equal(new[] { 1.0 }, (await telemetry.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Select(r => r.Value!.Value));
    }

    /// <summary>The contract: <c>DeleteExpiredAsync</c>, bad arguments: refused naming them, nothing deleted.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task DeleteExpiredAsync_BadArguments_AreRefused()
    {
        var (_, telemetry) = Series();
        var a = await AddDeviceAsync("A");
        await telemetry.AppendTelemetryAsync([Reading(a.Id, "soe", 0)]);

        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.DeleteExpiredAsync(RetainedSeries.Telemetry, DateTimeOffset.MaxValue, 0))).ParamName);
        Assert.Equal("series", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.DeleteExpiredAsync((RetainedSeries)7, DateTimeOffset.MaxValue, 10))).ParamName);
        Assert.Single(await telemetry.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    private (IHealthSampleStore Samples, ITelemetryStore Telemetry) Series() =>
        (Assert.IsAssignableFrom<IHealthSampleStore>(Store), Assert.IsAssignableFrom<ITelemetryStore>(Store));

    private static TelemetryReading Reading(Guid deviceId, string point, int minute) =>
        new() { DeviceId = deviceId, Point = point, Value = minute, Timestamp = T0.AddMinutes(minute) };

    private static DeviceHealthSample Sample(Guid deviceId, int minute) =>
        new() { DeviceId = deviceId, Timestamp = T0.AddMinutes(minute), Status = DeviceHealthStatus.Online, ResponseTimeMs = 10 };

    private Task<Device> AddDeviceAsync(string name) => Registry.RegisterAsync(ContractSamples.Bess(name)).AsTask();
}
