using Flux.Devices.Health;

namespace Flux.Devices.Specification.Tests;

/// <summary>The health time series part of the store contract (<c>flux.device_health</c>).</summary>
public abstract partial class DeviceStoreContractTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AppendHealthAsync_Samples_ReadBackByLatestRangeAndFleet()
    {
        var (a, aEntry) = NewStored("A");
        var (b, bEntry) = NewStored("B");
        await Store.AddAsync(a, aEntry);
        await Store.AddAsync(b, bEntry);
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

    [Fact]
    public async Task AppendHealthAsync_OutOfOrder_RangeComesBackOldestFirst()
    {
        var (a, aEntry) = NewStored("A");
        await Store.AddAsync(a, aEntry);
        var times = new[] { 5, 1, 3, 2, 4 }.Select(m => T0.AddMinutes(m)).ToArray();

        foreach (var time in times)
        {
            await Store.AppendHealthAsync([Sample(a.Id, time, DeviceHealthStatus.Online)]);
        }

        var range = await Store.GetHealthAsync(a.Id, T0, T0.AddHours(1));
        Assert.Equal(times.Order(), range.Select(s => s.Timestamp));
        Assert.Equal(T0.AddMinutes(5), (await Store.GetLatestHealthAsync(a.Id))!.Timestamp);
    }

    [Fact]
    public async Task AppendHealthAsync_TimestampsAreKeptToTheMicrosecondInUtc()
    {
        var (a, aEntry) = NewStored("A");
        await Store.AddAsync(a, aEntry);
        var local = new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        await Store.AppendHealthAsync([Sample(a.Id, local, DeviceHealthStatus.Online) with { LastSuccessfulPoll = local }]);

        var stored = await Store.GetLatestHealthAsync(a.Id);
        var expected = new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        Assert.Equal(expected, stored!.Timestamp);
        Assert.Equal(TimeSpan.Zero, stored.Timestamp.Offset);
        Assert.Equal(expected, stored.LastSuccessfulPoll);
    }

    [Fact]
    public async Task AppendHealthAsync_UnknownDevice_RefusesTheWholeBatch()
    {
        var (a, aEntry) = NewStored("A");
        await Store.AddAsync(a, aEntry);
        var unknown = Guid.NewGuid();

        var error = await Assert.ThrowsAsync<DeviceNotFoundException>(async () =>
            await Store.AppendHealthAsync([Sample(a.Id, T0, DeviceHealthStatus.Online), Sample(unknown, T0, DeviceHealthStatus.Online)]));

        Assert.Equal(unknown, error.DeviceId);
        Assert.Null(await Store.GetLatestHealthAsync(a.Id));
        Assert.Empty(await Store.ListLatestHealthAsync());
    }

    [Fact]
    public async Task AppendHealthAsync_TimestampTaken_RefusesTheWholeBatch()
    {
        var (a, aEntry) = NewStored("A");
        await Store.AddAsync(a, aEntry);
        await Store.AppendHealthAsync([Sample(a.Id, T0, DeviceHealthStatus.Online)]);

        await Assert.ThrowsAsync<AlreadyExistsException>(async () =>
            await Store.AppendHealthAsync([Sample(a.Id, T0.AddMinutes(1), DeviceHealthStatus.Online), Sample(a.Id, T0, DeviceHealthStatus.Offline)]));
        await Assert.ThrowsAsync<AlreadyExistsException>(async () =>
            await Store.AppendHealthAsync([Sample(a.Id, T0.AddMinutes(2), DeviceHealthStatus.Online), Sample(a.Id, T0.AddMinutes(2), DeviceHealthStatus.Offline)]));

        Assert.Equal([Sample(a.Id, T0, DeviceHealthStatus.Online)], await Store.GetHealthAsync(a.Id, T0, T0.AddHours(1)));
    }

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
}
