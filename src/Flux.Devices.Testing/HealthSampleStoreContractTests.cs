using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>
/// The contract of <see cref="IHealthSampleStore"/>: the health time series (<c>device_health</c>). Derive a test
/// class and return a fresh empty store from <c>CreateStoreAsync</c>. A store that is a whole
/// <see cref="IDeviceStore"/> keeps the devices too, and must refuse samples of unknown devices; a sample store of its
/// own is tested with the devices in the default in-memory store, and keeps samples of any device id.
/// </summary>
public abstract class HealthSampleStoreContractTests : StoreContractTests<IHealthSampleStore>
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The contract: <c>AppendHealthAsync</c>, samples: read back by latest range and fleet.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendHealthAsync_Samples_ReadBackByLatestRangeAndFleet()
    {
        var a = await AddDeviceAsync("A");
        var b = await AddDeviceAsync("B");
        var failed = Sample(a.Id, T0.AddMinutes(1), DeviceHealthStatus.Offline) with
        {
            ErrorCount = 1,
            LastSuccessfulPoll = T0,
            Diagnostics = new HealthDiagnostics { ErrorKind = HealthErrorKind.DeviceException, Error = "Illegal data address (02)", ExceptionCode = 2, Attempts = 4 },
        };
        var samples = new[] { Sample(a.Id, T0, DeviceHealthStatus.Online), failed, Sample(a.Id, T0.AddMinutes(2), DeviceHealthStatus.Degraded), Sample(b.Id, T0, DeviceHealthStatus.Online) };

        await Store.AppendHealthAsync(samples);

        Assert.Equal(samples[2], await Store.GetLatestHealthAsync(a.Id));
        Assert.Equal(samples[3], await Store.GetLatestHealthAsync(b.Id));
        Assert.Equal(samples[..3], await Store.GetHealthAsync(a.Id, T0, T0.AddMinutes(3)));
        Assert.Equal([failed], await Store.GetHealthAsync(a.Id, T0.AddMinutes(1), T0.AddMinutes(2)));
        var fleet = await Store.ListLatestHealthAsync();
        Assert.Equal([samples[2], samples[3]], fleet.OrderBy(s => s.DeviceId == a.Id ? 0 : 1));
    }

    /// <summary>The contract: <c>AppendHealthAsync</c>, out of order: range comes back oldest first.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendHealthAsync_OutOfOrder_RangeComesBackOldestFirst()
    {
        var a = await AddDeviceAsync("A");
        var times = new[] { 5, 1, 3, 2, 4 }.Select(m => T0.AddMinutes(m)).ToArray();

        foreach (var time in times)
        {
            await Store.AppendHealthAsync([Sample(a.Id, time, DeviceHealthStatus.Online)]);
        }

        var range = await Store.GetHealthAsync(a.Id, T0, T0.AddHours(1));
        Assert.Equal(times.Order(), range.Select(s => s.Timestamp));
        Assert.Equal(T0.AddMinutes(5), (await Store.GetLatestHealthAsync(a.Id))!.Timestamp);
    }

    /// <summary>The contract: append health async_timestamps are kept to the microsecond in utc.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendHealthAsync_TimestampsAreKeptToTheMicrosecondInUtc()
    {
        var a = await AddDeviceAsync("A");
        var local = new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        await Store.AppendHealthAsync([Sample(a.Id, local, DeviceHealthStatus.Online) with { LastSuccessfulPoll = local }]);

        var stored = await Store.GetLatestHealthAsync(a.Id);
        var expected = new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        Assert.Equal(expected, stored!.Timestamp);
        Assert.Equal(TimeSpan.Zero, stored.Timestamp.Offset);
        Assert.Equal(expected, stored.LastSuccessfulPoll);
    }

    /// <summary>The contract: <c>AppendHealthAsync</c>, unknown device: refused where the store keeps the devices.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendHealthAsync_UnknownDevice_RefusedWhereTheStoreKeepsTheDevices()
    {
        var a = await AddDeviceAsync("A");
        var unknown = Guid.NewGuid();
        var batch = new[] { Sample(a.Id, T0, DeviceHealthStatus.Online), Sample(unknown, T0, DeviceHealthStatus.Online) };

        if (Store is not IDeviceRegistryStore)
        {
            // A sample store of its own cannot know the devices: it keeps what it is given.
            await Store.AppendHealthAsync(batch);
            Assert.Equal(batch[1], await Store.GetLatestHealthAsync(unknown));
            return;
        }

        var error = await Assert.ThrowsAsync<DeviceNotFoundException>(async () => await Store.AppendHealthAsync(batch));

        Assert.Equal(unknown, error.DeviceId);
        Assert.Null(await Store.GetLatestHealthAsync(a.Id));
        Assert.Empty(await Store.ListLatestHealthAsync());
    }

    /// <summary>The contract: <c>AppendHealthAsync</c>, timestamp taken: refuses the whole batch.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AppendHealthAsync_TimestampTaken_RefusesTheWholeBatch()
    {
        var a = await AddDeviceAsync("A");
        await Store.AppendHealthAsync([Sample(a.Id, T0, DeviceHealthStatus.Online)]);

        await Assert.ThrowsAsync<AlreadyExistsException>(async () =>
            await Store.AppendHealthAsync([Sample(a.Id, T0.AddMinutes(1), DeviceHealthStatus.Online), Sample(a.Id, T0, DeviceHealthStatus.Offline)]));
        await Assert.ThrowsAsync<AlreadyExistsException>(async () =>
            await Store.AppendHealthAsync([Sample(a.Id, T0.AddMinutes(2), DeviceHealthStatus.Online), Sample(a.Id, T0.AddMinutes(2), DeviceHealthStatus.Offline)]));

        Assert.Equal([Sample(a.Id, T0, DeviceHealthStatus.Online)], await Store.GetHealthAsync(a.Id, T0, T0.AddHours(1)));
    }

    /// <summary>The contract: <c>HealthReads</c>, unknown device or empty batch: give nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task HealthReads_UnknownDeviceOrEmptyBatch_GiveNothing()
    {
        await Store.AppendHealthAsync([]);

        Assert.Null(await Store.GetLatestHealthAsync(Guid.NewGuid()));
        Assert.Empty(await Store.GetHealthAsync(Guid.NewGuid(), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Empty(await Store.ListLatestHealthAsync());
    }

    private static DeviceHealthSample Sample(Guid deviceId, DateTimeOffset timestamp, DeviceHealthStatus status) => new()
    {
        DeviceId = deviceId,
        Timestamp = timestamp,
        Status = status,
        ResponseTimeMs = status == DeviceHealthStatus.Offline ? null : 12,
        LastSuccessfulPoll = status == DeviceHealthStatus.Offline ? null : timestamp,
    };

    /// <summary>Registers a device (in the store under test when it keeps devices, else in the default store).</summary>
    private Task<Device> AddDeviceAsync(string name) => Registry.RegisterAsync(ContractSamples.Bess(name)).AsTask();
}
