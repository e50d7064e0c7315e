using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Flux.Devices.Health;
using Flux.Devices.Postgres;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// The PostgreSQL store against a local server (<c>FLUX_BENCH_POSTGRES</c>, a connection string), each benchmark
/// beside the raw binary <c>COPY</c> of the same rows through Npgsql: 100,000 registrations (devices and their history
/// rows) and 1,000,000 health samples, in one call and in the health monitor's batches of 1,000 (one poll cycle of the
/// 1,000 devices each). Every iteration starts from empty tables, reset the same way for both sides; one operation is
/// one whole load. The raw side of each category is its baseline, so the Ratio column is library time over raw time.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PostgresLoadBenchmarks
{
    private const int Batch = 1_000;
    private const int Devices = 100_000;
    private const int HealthDevices = 1_000;
    private const int SamplesPerDevice = 1_000;
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private PostgresBench _bench = null!;
    private NewDevice[] _registrations = null!;
    private DeviceHealthSample[] _samples = null!;
    private DeviceHealthSample[][] _cycles = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = PostgresBench.Create("bench_load");
        _registrations = [.. Enumerable.Range(0, Devices).Select(i => SpecSamples.Bess($"SITE{i % 20:00}-BESS-{i:D6}", site: $"SITE{i % 20:00}", modbusAddress: 1 + (i % 247)))];
        var ids = Enumerable.Range(0, HealthDevices).Select(i => Guid.CreateVersion7(Start.AddSeconds(i))).ToArray();
        _samples = [.. ids.SelectMany(id => Enumerable.Range(0, SamplesPerDevice).Select(k => new DeviceHealthSample
        {
            DeviceId = id,
            Timestamp = Start.AddMinutes(k),
            Status = DeviceHealthStatus.Online,
            ResponseTimeMs = 12 + (k % 7),
            ErrorCount = 0,
            LastSuccessfulPoll = Start.AddMinutes(k),
        }))];
        _cycles = [.. _samples.OrderBy(s => s.Timestamp).ThenBy(s => s.DeviceId).Chunk(Batch)];
        _bench.Run($"TRUNCATE {_bench.Schema}.device_health, {_bench.Schema}.device_history, {_bench.Schema}.device_group_members, {_bench.Schema}.mg_device_registry CASCADE");
        _bench.Registry.RegisterManyAsync([.. ids.Select((id, i) => SpecSamples.Bess($"H-{i:D4}") with { Id = id })]).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [IterationSetup(Targets = [nameof(RegisterHundredThousand), nameof(RawCopyHundredThousandDevicesAndHistory)])]
    public void EmptyRegistry()
    {
        _bench.Run($"DELETE FROM {_bench.Schema}.device_history WHERE device_id IN (SELECT id FROM {_bench.Schema}.mg_device_registry WHERE name NOT LIKE 'H-%')");
        _bench.Run($"DELETE FROM {_bench.Schema}.mg_device_registry WHERE name NOT LIKE 'H-%'");
        _bench.Run($"VACUUM {_bench.Schema}.mg_device_registry");
        _bench.Run($"VACUUM {_bench.Schema}.device_history");
    }

    [IterationSetup(Targets = [nameof(IngestMillionSamples), nameof(RawCopyMillionSamples), nameof(IngestMillionSamplesInBatches), nameof(RawCopyMillionSamplesInBatches)])]
    public void EmptyHealth() => _bench.Run($"TRUNCATE {_bench.Schema}.device_health");

    /// <summary>100,000 devices through <c>IDeviceRegistry.RegisterManyAsync</c>: validation, then binary COPY of devices and history rows in one transaction.</summary>
    [Benchmark]
    [BenchmarkCategory("Register100k")]
    public async Task<int> RegisterHundredThousand() => (await _bench.Registry.RegisterManyAsync(_registrations)).Count;

    /// <summary>The floor: the same 100,000 device rows and 100,000 history rows by raw binary COPY, in one transaction.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Register100k")]
    public async Task RawCopyHundredThousandDevicesAndHistory()
    {
        await using var connection = await _bench.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow;
        var ids = new Guid[_registrations.Length];
        await using (var import = await connection.BeginBinaryImportAsync($"COPY {_bench.Schema}.mg_device_registry (id, name, type, site, metadata, active, state, version, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < _registrations.Length; i++)
            {
                var device = _registrations[i];
                ids[i] = Guid.CreateVersion7(now);
                await import.StartRowAsync();
                await import.WriteAsync(ids[i], NpgsqlDbType.Uuid);
                await import.WriteAsync(device.Name, NpgsqlDbType.Text);
                await import.WriteAsync(device.Type, NpgsqlDbType.Text);
                await import.WriteAsync(device.Site, NpgsqlDbType.Text);
                await import.WriteAsync(device.Metadata!.ToJsonString(), NpgsqlDbType.Jsonb);
                await import.WriteAsync(true, NpgsqlDbType.Boolean);
                await import.WriteAsync("registered", NpgsqlDbType.Text);
                await import.WriteAsync(1L, NpgsqlDbType.Bigint);
                await import.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await import.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await import.CompleteAsync();
        }

        await using (var import = await connection.BeginBinaryImportAsync($"COPY {_bench.Schema}.device_history (device_id, version, kind, to_state, timestamp) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var id in ids)
            {
                await import.StartRowAsync();
                await import.WriteAsync(id, NpgsqlDbType.Uuid);
                await import.WriteAsync(1L, NpgsqlDbType.Bigint);
                await import.WriteAsync("registered", NpgsqlDbType.Text);
                await import.WriteAsync("registered", NpgsqlDbType.Text);
                await import.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await import.CompleteAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>1,000,000 samples (1,000 devices x 1,000 polls) through <c>IDeviceStore.AppendHealthAsync</c>, one batch.</summary>
    [Benchmark]
    [BenchmarkCategory("Health1M")]
    public Task IngestMillionSamples() => _bench.Store.AppendHealthAsync(_samples).AsTask();

    /// <summary>The floor: the same 1,000,000 rows by raw binary COPY.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Health1M")]
    public Task RawCopyMillionSamples() => RawCopySamplesAsync(_samples);

    /// <summary>The same 1,000,000 samples as the health monitor writes them: one <c>AppendHealthAsync</c> per cycle of 1,000 devices.</summary>
    [Benchmark]
    [BenchmarkCategory("Health1MBatched")]
    public async Task IngestMillionSamplesInBatches()
    {
        foreach (var cycle in _cycles)
        {
            await _bench.Store.AppendHealthAsync(cycle);
        }
    }

    /// <summary>The floor for batches: what a hand-written poller would do, one raw binary COPY of each cycle's 1,000 rows.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Health1MBatched")]
    public async Task RawCopyMillionSamplesInBatches()
    {
        foreach (var cycle in _cycles)
        {
            await RawCopySamplesAsync(cycle);
        }
    }

    private async Task RawCopySamplesAsync(DeviceHealthSample[] samples)
    {
        await using var connection = await _bench.DataSource.OpenConnectionAsync();
        await using var import = await connection.BeginBinaryImportAsync($"COPY {_bench.Schema}.device_health (device_id, timestamp, status, response_time_ms, error_count, last_successful_poll, diagnostics) FROM STDIN (FORMAT BINARY)");
        foreach (var sample in samples)
        {
            await import.StartRowAsync();
            await import.WriteAsync(sample.DeviceId, NpgsqlDbType.Uuid);
            await import.WriteAsync(sample.Timestamp, NpgsqlDbType.TimestampTz);
            await import.WriteAsync("online", NpgsqlDbType.Text);
            await import.WriteAsync(sample.ResponseTimeMs!.Value, NpgsqlDbType.Integer);
            await import.WriteAsync(sample.ErrorCount, NpgsqlDbType.Integer);
            await import.WriteAsync(sample.LastSuccessfulPoll!.Value, NpgsqlDbType.TimestampTz);
            await import.WriteNullAsync();
        }

        await import.CompleteAsync();
    }
}

/// <summary>
/// Queries and a fleet roll-out on 100,000 devices in PostgreSQL (<c>FLUX_BENCH_POSTGRES</c>): the spec's filter
/// <c>type=bess,site=WLCE</c> (5,000 match), a metadata filter <c>metadata.manufacturer=PowerPack</c> (5,000 match,
/// through the GIN index), each beside its baseline: the same SQL through a raw Npgsql reader, as a hand-written
/// application would read it, every column into a plain record (the metadata as its JSON text).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PostgresQueryBenchmarks
{
    private static readonly string[] SpecSites = ["WLCE", "HMCE", "LFCE"];
    private PostgresBench _bench = null!;
    private readonly DeviceFilter _spec = DeviceFilter.Parse("type=bess,site=WLCE");
    private readonly DeviceFilter _manufacturer = DeviceFilter.Parse("metadata.manufacturer=PowerPack");

    [GlobalSetup]
    public void Setup()
    {
        _bench = PostgresBench.Create("bench_query");
        var sites = SpecSites.Concat(Enumerable.Range(3, 17).Select(s => $"SITE{s:00}")).ToArray();
        var devices = Enumerable.Range(0, 100_000).Select(i =>
        {
            var bess = SpecSamples.Bess($"{sites[i % 20]}-BESS-{i:D6}", site: sites[i % 20], modbusAddress: 1 + (i % 247));
            return bess with { Metadata = bess.Metadata!.With("manufacturer", i % 20 == 1 ? "PowerPack" : "Other") };
        }).ToList();
        _bench.Registry.RegisterManyAsync(devices).AsTask().GetAwaiter().GetResult();
        _bench.Run($"ANALYZE {_bench.Schema}.mg_device_registry");
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    /// <summary>The spec's filter over 100,000 devices (5,000 match).</summary>
    [Benchmark]
    [BenchmarkCategory("TypeAndSite")]
    public async Task<int> FilterTypeAndSite() => (await _bench.Store.ListAsync(_spec)).Count;

    /// <summary>The spec's filter by hand: the SQL the store sends, read into plain records.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("TypeAndSite")]
    public Task<int> RawTypeAndSite() => RawQueryAsync(
        $"SELECT {Columns} FROM {_bench.Schema}.mg_device_registry WHERE type = ANY($1) AND site = ANY($2) ORDER BY name COLLATE \"C\"",
        new NpgsqlParameter { Value = SpecType },
        new NpgsqlParameter { Value = SpecSite });

    /// <summary>A metadata filter over 100,000 devices (5,000 match).</summary>
    [Benchmark]
    [BenchmarkCategory("MetadataContainment")]
    public async Task<int> FilterMetadataManufacturer() => (await _bench.Store.ListAsync(_manufacturer)).Count;

    /// <summary>The metadata filter by hand: the same containment through the GIN index, read into plain records.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("MetadataContainment")]
    public Task<int> RawMetadataManufacturer() => RawQueryAsync(
        $"SELECT {Columns} FROM {_bench.Schema}.mg_device_registry WHERE (metadata @> $1) ORDER BY name COLLATE \"C\"",
        new NpgsqlParameter { Value = """{"manufacturer":"PowerPack"}""", NpgsqlDbType = NpgsqlDbType.Jsonb });

    private static readonly string[] SpecType = ["bess"];
    private static readonly string[] SpecSite = ["WLCE"];

    private const string Columns = "id, name, type, site, metadata, active, state, version, created_at, updated_at";

    private async Task<int> RawQueryAsync(string sql, params NpgsqlParameter[] parameters)
    {
        await using var connection = await _bench.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<RawDevice>();
        while (await reader.ReadAsync())
        {
            rows.Add(new RawDevice(
                reader.GetGuid(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetBoolean(5),
                reader.GetString(6),
                reader.GetInt64(7),
                reader.GetFieldValue<DateTimeOffset>(8),
                reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return rows.Count;
    }

    private sealed record RawDevice(Guid Id, string Name, string Type, string Site, string Metadata, bool Active, string State, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
}

/// <summary>The spec's template committed over 10,000 Registered BESS in PostgreSQL: plan and one batched transaction.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class PostgresTemplateBenchmarks
{
    private readonly DeviceFilter _filter = DeviceFilter.Parse("type=bess,site=WLCE");
    private PostgresBench _bench = null!;
    private DeviceTemplate _template = null!;
    private NewDevice[] _fleet = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = PostgresBench.Create("bench_template");
        _template = _bench.Services.GetRequiredService<DeviceTemplateLoader>().Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");
        _fleet = [.. Enumerable.Range(0, 10_000).Select(i => SpecSamples.Bess($"WLCE-BESS-{i:D5}", modbusAddress: 1 + (i % 247)))];
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [IterationSetup]
    public void FreshFleet()
    {
        _bench.Run($"TRUNCATE {_bench.Schema}.device_health, {_bench.Schema}.device_history, {_bench.Schema}.device_group_members, {_bench.Schema}.mg_device_registry CASCADE");
        _bench.Registry.RegisterManyAsync(_fleet).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Plan and commit: 10,000 devices configured, each with its history row, in one transaction.</summary>
    [Benchmark]
    public async Task<int> CommitSpecTemplateOverTenThousand()
    {
        var templates = _bench.Services.GetRequiredService<IDeviceTemplateService>();
        var result = await templates.CommitAsync(await templates.PlanAsync(_template, _filter));
        return result.Applied == 10_000 ? result.Applied : throw new InvalidOperationException($"{result.Applied} devices configured, not 10,000.");
    }
}

/// <summary>A store on <c>FLUX_BENCH_POSTGRES</c> in a fresh schema of its own.</summary>
internal sealed class PostgresBench : IDisposable
{
    private PostgresBench(string schema)
    {
        var connectionString = Environment.GetEnvironmentVariable("FLUX_BENCH_POSTGRES")
            ?? throw new InvalidOperationException("Set FLUX_BENCH_POSTGRES to the connection string of a local PostgreSQL server (see benchmarks/README.md).");
        Schema = schema;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Run($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        var services = new ServiceCollection();
        services.AddSingleton(DataSource);
        services.AddFluxDevices().UsePostgres(o => o.Schema = schema);
        Services = services.BuildServiceProvider();
        Store.MigrateAsync().GetAwaiter().GetResult();
    }

    public string Schema { get; }

    public NpgsqlDataSource DataSource { get; }

    public ServiceProvider Services { get; }

    public PostgresDeviceStore Store => Services.GetRequiredService<PostgresDeviceStore>();

    public IDeviceRegistry Registry => Services.GetRequiredService<IDeviceRegistry>();

    public static PostgresBench Create(string schema) => new(schema);

    public void Run(string sql)
    {
        using var command = DataSource.CreateCommand(sql);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        Services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Run($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        DataSource.Dispose();
    }
}
