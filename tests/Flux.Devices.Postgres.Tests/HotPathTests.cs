using System.Collections.Concurrent;
using System.Diagnostics;
using Flux.Devices.Health;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// The paths the benchmarks measure against hand-written SQL: a health batch is its COPY and nothing else, and metadata
/// read the cheap way (as UTF-8 bytes) is exactly what parsing its text gave, including text other tools wrote.
/// </summary>
public sealed class HotPathTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);
    private NpgsqlDataSource _dataSource = null!;
    private PostgresDeviceStore _store = null!;
    private string _schema = null!;

    public async ValueTask InitializeAsync()
    {
        _schema = await server.CreateSchemaAsync("hot");
        _dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        _store = new PostgresDeviceStore(_dataSource, new PostgresStoreOptions { Schema = _schema });
        await _store.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await server.DropSchemaAsync(_schema);
    }

    [Fact]
    public async Task AppendHealthAsync_Batch_SendsNoQueryBesideItsCopy()
    {
        var ids = await InsertDevicesAsync(3);
        var statements = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Only this test's statements: every one names the test's schema.
                var text = string.Join(" ", activity.TagObjects.Select(t => t.Value as string).Append(activity.DisplayName));
                if (text.Contains(_schema, StringComparison.Ordinal))
                {
                    statements.Enqueue(text);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await _store.GetAsync(ids[0], TestContext.Current.CancellationToken); // the listener sees the store's statements
        Assert.Single(statements);
        statements.Clear();

        await _store.AppendHealthAsync(Cycle(ids, 0), TestContext.Current.CancellationToken);

        Assert.DoesNotContain(statements, s => s.Contains("SELECT", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(3, (await _store.ListLatestHealthAsync(TestContext.Current.CancellationToken)).Count);
    }

    [Fact]
    public async Task AppendHealthAsync_UnknownDeviceLateInTheBatch_IsNamed_AndNothingIsWritten()
    {
        var ids = await InsertDevicesAsync(5);
        var unknown = Guid.NewGuid();
        var batch = Cycle(ids, 0).Concat(Cycle(ids, 1)).Append(Sample(unknown, T0)).Concat(Cycle(ids, 2)).ToList();

        var error = await Assert.ThrowsAsync<DeviceNotFoundException>(async () => await _store.AppendHealthAsync(batch, TestContext.Current.CancellationToken));

        Assert.Equal(unknown, error.DeviceId);
        Assert.Empty(await _store.ListLatestHealthAsync(TestContext.Current.CancellationToken));

        // The connection went back to the pool clean: the next batch goes in.
        await _store.AppendHealthAsync(Cycle(ids, 3), TestContext.Current.CancellationToken);
        Assert.Equal(5, (await _store.ListLatestHealthAsync(TestContext.Current.CancellationToken)).Count);
    }

    [Theory]
    [InlineData("""{"manufacturer": "PowerPack", "capacity_kwh": 500, "efficiency": 0.92}""")]
    [InlineData("""{"site": "Zürich 東京 😀", "big": 1e300, "neg": -0.5, "int": 12345678901234567890, "flags": [true, false, null], "m": {"deep": {"x": [1, {"y": 2}]}}}""")]
    [InlineData("""{"note": "a \"quote\", a back\\slash,\na new line and a\ttab", "key\twith tab": {"\"": "\u0001"}}""")]
    public async Task Metadata_WrittenByAnotherTool_ReadsAsParsingItsTextGives(string json)
    {
        var id = Guid.NewGuid();
        await using (var insert = _dataSource.CreateCommand($"INSERT INTO {_schema}.mg_device_registry (id, name, type, site, metadata, active) VALUES ($1, 'X-1', 'other', 'WLCE', $2::jsonb, true)"))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = id });
            insert.Parameters.Add(new NpgsqlParameter { Value = json });
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var text = _dataSource.CreateCommand($"SELECT metadata::text FROM {_schema}.mg_device_registry WHERE id = $1");
        text.Parameters.Add(new NpgsqlParameter { Value = id });
        var expected = DeviceMetadata.Parse((string)(await text.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);

        var read = await _store.GetAsync(id, TestContext.Current.CancellationToken);
        var listed = Assert.Single(await _store.ListAsync(DeviceFilter.Parse("site=WLCE"), TestContext.Current.CancellationToken));

        Assert.Equal(expected.ToJsonString(), read!.Metadata.ToJsonString());
        Assert.Equal(expected.ToJsonString(), listed.Metadata.ToJsonString());
        Assert.Equal(expected, listed.Metadata);
    }

    [Fact]
    public async Task Metadata_WithANumberBeyondADouble_IsRefusedOnReadAsBefore()
    {
        var id = Guid.NewGuid();
        await server.ExecuteAsync($"INSERT INTO {_schema}.mg_device_registry (id, name, type, site, metadata, active) VALUES ('{id}', 'X-1', 'other', 'WLCE', '{{\"x\": 1e400}}', true)");

        var error = await Assert.ThrowsAsync<DeviceValidationException>(async () => await _store.GetAsync(id, TestContext.Current.CancellationToken));

        Assert.Contains(error.Errors, e => e.Field == "metadata.x");
    }

    private static DeviceHealthSample Sample(Guid id, DateTimeOffset at) => new()
    {
        DeviceId = id,
        Timestamp = at,
        Status = DeviceHealthStatus.Online,
        ResponseTimeMs = 12,
        ErrorCount = 0,
        LastSuccessfulPoll = at,
    };

    private static List<DeviceHealthSample> Cycle(IEnumerable<Guid> ids, int minute) => [.. ids.Select(id => Sample(id, T0.AddMinutes(minute)))];

    private async Task<Guid[]> InsertDevicesAsync(int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        await using var insert = _dataSource.CreateCommand(
            $"INSERT INTO {_schema}.mg_device_registry (id, name, type, site, metadata, active) " +
            "SELECT id, 'B-' || n, 'bess', 'WLCE', '{}'::jsonb, true FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)");
        insert.Parameters.Add(new NpgsqlParameter { Value = ids });
        await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return ids;
    }
}
