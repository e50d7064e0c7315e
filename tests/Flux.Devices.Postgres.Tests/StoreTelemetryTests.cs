using System.Diagnostics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// A write against a server that refuses connections: each retry is logged in <c>Flux.Devices.Storage</c>, and the write
/// is one client activity with the database names and the type of the error the caller gets.
/// </summary>
public sealed class StoreTelemetryTests
{
    [Fact]
    public async Task AWrite_RetriedAgainstNoServer_LogsEachRetry_AndIsOneFailedActivity()
    {
        using var activities = new ActivityRecorder(nameof(AWrite_RetriedAgainstNoServer_LogsEachRetry_AndIsOneFailedActivity));
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        using var refusing = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        refusing.Start();
        var port = ((System.Net.IPEndPoint)refusing.LocalEndpoint).Port;
        refusing.Stop(); // nothing listens there now: connections are refused
        await using var dataSource = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port};Username=flux;Timeout=2");
        var store = new PostgresDeviceStore(dataSource, new PostgresStoreOptions { TransientRetries = 2, RetryDelay = TimeSpan.Zero }, loggerFactory: loggers);
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var device = new Device { Id = Guid.NewGuid(), Name = "BESS-01", Type = DeviceTypes.Bess, Site = "WLCE", Metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson), CreatedAt = at, UpdatedAt = at };
        var entry = new DeviceHistoryEntry { DeviceId = device.Id, Version = 1, Kind = DeviceChangeKind.Registered, ToState = DeviceState.Registered, Timestamp = at };

        await Assert.ThrowsAsync<DeviceStoreUnavailableException>(async () => await store.AddAsync(device, entry, TestContext.Current.CancellationToken));

        var retries = logs.GetSnapshot().Where(r => r.Category == FluxDevicesDiagnostics.StorageCategory).ToList();
        Assert.Equal(2, retries.Count);
        Assert.All(retries, r => Assert.Equal((7000, LogLevel.Warning), (r.Id.Id, r.Level)));
        Assert.StartsWith("PostgreSQL INSERT flux.mg_device_registry failed transiently (attempt 1 of 3)", retries[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("PostgreSQL INSERT flux.mg_device_registry failed transiently (attempt 2 of 3)", retries[1].Message, StringComparison.Ordinal);
        var write = Assert.Single(activities.Stopped);
        Assert.Equal("INSERT flux.mg_device_registry", write.DisplayName);
        Assert.Equal(ActivityKind.Client, write.Kind);
        Assert.Equal("postgresql", write.GetTagItem("db.system.name"));
        Assert.Equal("INSERT", write.GetTagItem("db.operation.name"));
        Assert.Equal("flux.mg_device_registry", write.GetTagItem("db.collection.name"));
        Assert.Equal(ActivityStatusCode.Error, write.Status);
        Assert.Equal(typeof(DeviceStoreUnavailableException).FullName, write.GetTagItem("error.type"));
    }
}
