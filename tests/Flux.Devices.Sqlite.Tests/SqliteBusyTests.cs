using System.Diagnostics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Flux.Devices.Sqlite.Tests;

/// <summary>
/// A file another connection holds locked (a second writer in a transaction), a file that is not a database: the store
/// retries what may pass, logs each retry, and lets no <see cref="SqliteException"/> out.
/// </summary>
public sealed class SqliteBusyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string File => Path.Combine(_directory, "flux.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AWrite_OnAFileAnotherConnectionHoldsLocked_IsUnavailableAndTransient_AfterItsRetries_EachLogged()
    {
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        using var store = Store(loggers);
        await store.MigrateAsync(Cancel);
        await using var writer = await LockAsync();

        var error = await Assert.ThrowsAsync<DeviceStoreUnavailableException>(async () => await AddAsync(store, NewDevice()));

        Assert.True(error.IsTransient);
        Assert.Equal(5, Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode); // SQLITE_BUSY
        Assert.Contains(store.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("2 attempt(s)", error.Message, StringComparison.Ordinal);
        var retry = Assert.Single(logs.GetSnapshot());
        Assert.Equal(FluxDevicesDiagnostics.StorageCategory, retry.Category);
        Assert.Equal(LogLevel.Warning, retry.Level);
        Assert.Equal(7000, retry.Id.Id);
        Assert.StartsWith("SQLite INSERT mg_device_registry failed transiently (attempt 1 of 2)", retry.Message, StringComparison.Ordinal);

        await writer.DisposeAsync(); // the other writer gives up its lock: the store writes again
        var device = NewDevice();
        await AddAsync(store, device);
        Assert.NotNull(await store.GetAsync(device.Id, Cancel));
    }

    [Fact]
    public async Task AWrite_ThatFindsTheFileLocked_IsTriedAgain_AndSucceedsOnceTheLockIsGone()
    {
        await using var writer = await LockAsync(migrated: true);
        var logs = new FakeLogCollector(Microsoft.Extensions.Options.Options.Create(new FakeLogCollectorOptions
        {
            OutputSink = _ => writer.Dispose(), // the other writer commits when the store says it will try again
        }));
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        using var store = Store(loggers);
        var device = NewDevice();

        await AddAsync(store, device);

        Assert.Equal(device, await store.GetAsync(device.Id, Cancel));
        Assert.Single(await store.GetHistoryAsync(device.Id, Cancel));
        Assert.Single(logs.GetSnapshot());
    }

    [Fact]
    public async Task AFile_ThatIsNotADatabase_IsUnavailableAndNotTransient_OnReadsAndWrites()
    {
        await System.IO.File.WriteAllTextAsync(File, "this is a text file, not a SQLite database, and long enough to have a header", Cancel);
        using var store = new SqliteDeviceStore(File);

        var read = await Assert.ThrowsAsync<DeviceStoreUnavailableException>(async () => await store.GetAsync(Guid.NewGuid(), Cancel));
        var write = await Assert.ThrowsAsync<DeviceStoreUnavailableException>(async () => await AddAsync(store, NewDevice()));

        Assert.All([read, write], e => Assert.False(e.IsTransient));
        Assert.All([read, write], e => Assert.Equal(26, Assert.IsType<SqliteException>(e.InnerException).SqliteErrorCode)); // SQLITE_NOTADB
        Assert.Contains(store.Path, read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachWrite_IsOneClientActivity_WithTheDatabaseNames_AndAFailedOneCarriesItsErrorType()
    {
        using var activities = new ActivityRecorder(nameof(EachWrite_IsOneClientActivity_WithTheDatabaseNames_AndAFailedOneCarriesItsErrorType));
        using var store = new SqliteDeviceStore(File);
        var device = NewDevice();

        await AddAsync(store, device);
        await Assert.ThrowsAsync<AlreadyExistsException>(async () => await AddAsync(store, device));

        var stopped = activities.Stopped;
        Assert.Equal(2, stopped.Count);
        Assert.All(stopped, a =>
        {
            Assert.Equal("INSERT mg_device_registry", a.DisplayName);
            Assert.Equal(ActivityKind.Client, a.Kind);
            Assert.Equal("sqlite", a.GetTagItem("db.system.name"));
            Assert.Equal("INSERT", a.GetTagItem("db.operation.name"));
            Assert.Equal("mg_device_registry", a.GetTagItem("db.collection.name"));
        });
        Assert.Equal(ActivityStatusCode.Unset, stopped[0].Status);
        Assert.Null(stopped[0].GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, stopped[1].Status);
        Assert.Equal(typeof(AlreadyExistsException).FullName, stopped[1].GetTagItem("error.type"));
        Assert.Equal("2067", stopped[1].GetTagItem("db.response.status_code")); // SQLITE_CONSTRAINT_UNIQUE (the text primary key)
    }

    private static Device NewDevice() => new()
    {
        Id = Guid.NewGuid(),
        Name = $"BESS-{Guid.NewGuid():N}",
        Type = DeviceTypes.Bess,
        Site = "WLCE",
        Metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson),
        CreatedAt = At,
        UpdatedAt = At,
    };

    private static ValueTask AddAsync(SqliteDeviceStore store, Device device) =>
        store.AddAsync(device, new Lifecycle.DeviceHistoryEntry { DeviceId = device.Id, Version = 1, Kind = Lifecycle.DeviceChangeKind.Registered, ToState = DeviceState.Registered, Timestamp = At }, Cancel);

    private SqliteDeviceStore Store(ILoggerFactory loggers) =>
        new(File, new SqliteStoreOptions { BusyTimeout = TimeSpan.FromSeconds(1), TransientRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10) }, loggerFactory: loggers);

    /// <summary>A second connection that holds the write lock (<c>BEGIN IMMEDIATE</c>) until disposed.</summary>
    private async Task<OtherWriter> LockAsync(bool migrated = false)
    {
        if (migrated)
        {
            using var store = new SqliteDeviceStore(File);
            await store.MigrateAsync(Cancel);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Pooling = false }.ToString());
        await connection.OpenAsync(Cancel);
        var transaction = connection.BeginTransaction(deferred: false);
        return new OtherWriter(connection, transaction);
    }

    private sealed class OtherWriter(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable, IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                transaction.Rollback();
                transaction.Dispose();
                connection.Dispose();
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
