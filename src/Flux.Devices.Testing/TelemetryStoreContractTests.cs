using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>
/// The contract of <see cref="ITelemetryStore"/>: the telemetry time series (narrow rows <c>(device_id, timestamp,
/// point, value)</c>). Derive a test class and return a fresh empty store from <c>CreateStoreAsync</c>. As with health
/// samples, a store that is a whole <see cref="IDeviceStore"/> keeps the devices too, and must refuse readings of
/// unknown devices; a telemetry store of its own is tested with the devices in the default in-memory store, and keeps
/// readings of any device id.
/// </summary>
public abstract class TelemetryStoreContractTests : StoreContractTests<ITelemetryStore>
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The contract: <c>AppendTelemetryAsync</c>, readings of two devices: read back by device, as stored (good quality, no unit).</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendTelemetryAsync_Readings_ReadBackByDeviceAsStored()
    {
        var a = await AddDeviceAsync("A");
        var b = await AddDeviceAsync("B");
        var batch = new[]
        {
            Reading(a.Id, "soe", T0, 250.5) with { Unit = "kWh", Quality = TelemetryQuality.Stale },
            Reading(a.Id, "target_power", T0, -42),
            Reading(b.Id, "soe", T0, 100),
            Reading(a.Id, "soe", T0.AddMinutes(1), 251.25),
        };

        await Store.AppendTelemetryAsync(batch);

        Assert.Equal(
            [Reading(a.Id, "soe", T0, 250.5), Reading(a.Id, "target_power", T0, -42), Reading(a.Id, "soe", T0.AddMinutes(1), 251.25)],
            await Store.GetTelemetryAsync(a.Id, null, T0, T0.AddHours(1)));
        Assert.Equal([Reading(b.Id, "soe", T0, 100)], await Store.GetTelemetryAsync(b.Id, [], T0, T0.AddHours(1)));
    }

    /// <summary>The contract: <c>GetTelemetryAsync</c>, a range: includes its start, excludes its end, to the microsecond.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task GetTelemetryAsync_Range_IncludesItsStartAndExcludesItsEnd()
    {
        var a = await AddDeviceAsync("A");
        await Store.AppendTelemetryAsync([.. Enumerable.Range(0, 5).Select(m => Reading(a.Id, "soe", T0.AddMinutes(m), m))]);

        Assert.Equal(new[] { 1.0, 2.0 }, Values(await Store.GetTelemetryAsync(a.Id, null, T0.AddMinutes(1), T0.AddMinutes(3))));
        Assert.Equal(new[] { 0.0, 1.0, 2.0, 3.0, 4.0 }, Values(await Store.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue)));
        Assert.Empty(await Store.GetTelemetryAsync(a.Id, null, T0.AddMinutes(3), T0.AddMinutes(3)));

        // A bound between two microseconds: a row at minute 1 is after a start a tick before it, and before an end a tick after it.
        Assert.Equal(new[] { 1.0 }, Values(await Store.GetTelemetryAsync(a.Id, null, T0.AddMinutes(1).AddTicks(-1), T0.AddMinutes(1).AddTicks(1))));
        Assert.Equal(new[] { 2.0 }, Values(await Store.GetTelemetryAsync(a.Id, null, T0.AddMinutes(1).AddTicks(1), T0.AddMinutes(2).AddTicks(1))));
    }

    /// <summary>The contract: <c>GetTelemetryAsync</c>, points named: only those points, in the usual order.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task GetTelemetryAsync_PointFilter_ReturnsOnlyThosePoints()
    {
        var a = await AddDeviceAsync("A");
        string[] points = ["soe", "target_power", "status", "available_blocks"];
        await Store.AppendTelemetryAsync([.. points.SelectMany((p, i) => new[] { Reading(a.Id, p, T0, i), Reading(a.Id, p, T0.AddMinutes(1), 10 + i) })]);

        var some = await Store.GetTelemetryAsync(a.Id, ["status", "soe", "no_such_point"], T0, T0.AddHours(1));

        Assert.Equal(
            [("soe", 0.0), ("status", 2.0), ("soe", 10.0), ("status", 12.0)],
            some.Select(r => (r.Point, r.Value!.Value)));
        Assert.Empty(await Store.GetTelemetryAsync(a.Id, ["no_such_point"], T0, T0.AddHours(1)));
        Assert.Equal(8, (await Store.GetTelemetryAsync(a.Id, [], T0, T0.AddHours(1))).Count);
    }

    /// <summary>The contract: <c>AppendTelemetryAsync</c>, out of order: read back by timestamp, then by point by code point.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendTelemetryAsync_OutOfOrder_ReadBackByTimestampThenPointByCodePoint()
    {
        var a = await AddDeviceAsync("A");

        // Code point order: "Z" < "a" < "b" < "é" < U+FF21 < U+1F600 (ordinal UTF-16 would put U+1F600 before U+FF21).
        string[] points = ["\U0001F600", "b", "\uFF21", "é", "Z", "a"];
        foreach (var minute in new[] { 2, 0, 1 })
        {
            await Store.AppendTelemetryAsync([.. points.Select(p => Reading(a.Id, p, T0.AddMinutes(minute), minute))]);
        }

        var read = await Store.GetTelemetryAsync(a.Id, null, T0, T0.AddHours(1));

        string[] ordered = ["Z", "a", "b", "é", "\uFF21", "\U0001F600"];
        Assert.Equal(
            new[] { 0, 1, 2 }.SelectMany(m => ordered.Select(p => (T0.AddMinutes(m), p))),
            read.Select(r => (r.Timestamp, r.Point)));
    }

    /// <summary>The contract: <c>AppendTelemetryAsync</c>, timestamps are kept to the microsecond, in UTC.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendTelemetryAsync_TimestampsAreKeptToTheMicrosecondInUtc()
    {
        var a = await AddDeviceAsync("A");
        var local = new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        await Store.AppendTelemetryAsync([Reading(a.Id, "soe", local, 1), Reading(a.Id, "soe", local.AddTicks(10), 2)]);

        var read = await Store.GetTelemetryAsync(a.Id, null, T0, T0.AddHours(1));
        var expected = T0.AddTicks(1_234_560);
        Assert.Equal([expected, expected.AddTicks(10)], read.Select(r => r.Timestamp));
        Assert.All(read, r => Assert.Equal(TimeSpan.Zero, r.Timestamp.Offset));
    }

    /// <summary>The contract: <c>AppendTelemetryAsync</c>, values: doubles read back exactly, extremes included.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendTelemetryAsync_Values_ReadBackExactly()
    {
        var a = await AddDeviceAsync("A");
        double[] values = [0.1, -0.0, double.MaxValue, double.Epsilon, -123456.789012345, 1e-300];

        await Store.AppendTelemetryAsync([.. values.Select((v, i) => Reading(a.Id, "p", T0.AddSeconds(i), v))]);

        Assert.Equal(values, Values(await Store.GetTelemetryAsync(a.Id, null, T0, T0.AddHours(1))));
    }

    /// <summary>The contract: <c>AppendTelemetryAsync</c>, a reading without a value (not available, or a text point): not stored.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendTelemetryAsync_NoValue_NotStored()
    {
        var a = await AddDeviceAsync("A");

        await Store.AppendTelemetryAsync(
        [
            Reading(a.Id, "soe", T0, 1),
            Reading(a.Id, "soh", T0, null) with { Quality = TelemetryQuality.NotAvailable },
            Reading(a.Id, "serial_number", T0, null) with { Text = "PP-500-0001" },
        ]);
        await Store.AppendTelemetryAsync([Reading(a.Id, "soh", T0.AddMinutes(1), null)]);

        Assert.Equal([Reading(a.Id, "soe", T0, 1)], await Store.GetTelemetryAsync(a.Id, null, T0, T0.AddHours(1)));
    }

    /// <summary>The contract: <c>AppendTelemetryAsync</c>, a bad batch (a key taken, a key twice, a value not a number, a bad point): nothing written.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendTelemetryAsync_BadBatch_WritesNothing()
    {
        var a = await AddDeviceAsync("A");
        var first = Reading(a.Id, "soe", T0, 1);
        await Store.AppendTelemetryAsync([first]);
        var good = Reading(a.Id, "soe", T0.AddMinutes(1), 2);

        await Assert.ThrowsAsync<AlreadyExistsException>(async () => await Store.AppendTelemetryAsync([good, Reading(a.Id, "soe", T0, 3)]));
        await Assert.ThrowsAsync<AlreadyExistsException>(async () => await Store.AppendTelemetryAsync([good, good with { Value = 4 }]));
        var nan = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.AppendTelemetryAsync([good, Reading(a.Id, "soh", T0, double.NaN)]));
        Assert.Contains("soh", nan.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.AppendTelemetryAsync([good, Reading(a.Id, "", T0, 1)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.AppendTelemetryAsync([good, Reading(a.Id, "a\0b", T0, 1)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.AppendTelemetryAsync([good, Reading(a.Id, new string('p', TelemetryRules.MaxPointLength + 1), T0, 1)]));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Store.AppendTelemetryAsync([good, null!]));

        Assert.Equal([first], await Store.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        await Store.AppendTelemetryAsync([good]); // the same key the refused batches held is free
        Assert.Equal([first, good], await Store.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    /// <summary>The contract: <c>AppendTelemetryAsync</c>, unknown device: refused, with the whole batch, where the store keeps the devices.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendTelemetryAsync_UnknownDevice_RefusedWhereTheStoreKeepsTheDevices()
    {
        var a = await AddDeviceAsync("A");
        var unknown = Guid.NewGuid();
        var batch = new[] { Reading(a.Id, "soe", T0, 1), Reading(unknown, "soe", T0, 2) };

        if (Store is not IDeviceRegistryStore)
        {
            // A telemetry store of its own cannot know the devices: it keeps what it is given.
            await Store.AppendTelemetryAsync(batch);
            Assert.Equal([batch[1]], await Store.GetTelemetryAsync(unknown, null, T0, T0.AddHours(1)));
            return;
        }

        var error = await Assert.ThrowsAsync<DeviceNotFoundException>(async () => await Store.AppendTelemetryAsync(batch));

        Assert.Equal(unknown, error.DeviceId);
        Assert.Empty(await Store.GetTelemetryAsync(a.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    /// <summary>The contract: <c>TelemetryReads</c>, unknown device or empty batch: give nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task TelemetryReads_UnknownDeviceOrEmptyBatch_GiveNothing()
    {
        await Store.AppendTelemetryAsync([]);

        Assert.Empty(await Store.GetTelemetryAsync(Guid.NewGuid(), null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Empty(await Store.GetTelemetryAsync(Guid.NewGuid(), ["soe"], DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
    }

    /// <summary>A reading as the pipeline hands it over (and, with quality good and no unit, as a store gives it back).</summary>
    private static TelemetryReading Reading(Guid deviceId, string point, DateTimeOffset timestamp, double? value) => new()
    {
        DeviceId = deviceId,
        Point = point,
        Value = value,
        Timestamp = timestamp,
    };

    private static double[] Values(IReadOnlyList<TelemetryReading> readings) => [.. readings.Select(r => r.Value!.Value)];

    /// <summary>Registers a device (in the store under test when it keeps devices, else in the default store).</summary>
    private Task<Device> AddDeviceAsync(string name) => Registry.RegisterAsync(ContractSamples.Bess(name)).AsTask();
}
