using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using NpgsqlTypes;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// Telemetry ingest into PostgreSQL (<c>FLUX_BENCH_POSTGRES</c>), beside the raw binary <c>COPY</c> of the same rows into
/// the same table (<c>device_telemetry</c>, its primary key, timestamp index and foreign key): 500,000 readings, 1,000
/// devices x 10 points x 50 polls, in one <c>AppendTelemetryAsync</c> and in the monitor's cycles (one append of 10,000
/// readings per poll cycle of the 1,000 devices; the raw side one COPY per cycle). Every iteration starts from an empty
/// table; the raw side of each category is its baseline, so the Ratio column is library time over raw time (the goal:
/// raw / library at least 0.7, a Ratio of at most 1.43).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PostgresTelemetryBenchmarks
{
    private const int Devices = 1_000;
    private const int Polls = 50;
    private static readonly string[] Points = ["soe", "soh", "target_power", "active_power", "reactive_power", "voltage", "current", "frequency", "status", "available_blocks"];
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private PostgresBench _bench = null!;
    private TelemetryReading[] _readings = null!;
    private TelemetryReading[][] _cycles = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = PostgresBench.Create("bench_telemetry");
        var ids = Enumerable.Range(0, Devices).Select(i => Guid.CreateVersion7(Start.AddSeconds(i))).ToArray();
        _bench.Registry.RegisterManyAsync([.. ids.Select((id, i) => SpecSamples.Bess($"T-{i:D4}") with { Id = id })]).AsTask().GetAwaiter().GetResult();
        _cycles = [.. Enumerable.Range(0, Polls).Select(k => ids.SelectMany((id, d) => Points.Select((p, n) => new TelemetryReading
        {
            DeviceId = id,
            Point = p,
            Value = (k * 31 + d * 7 + n) * 0.5,
            Timestamp = Start.AddMinutes(k).AddMilliseconds(d),
        })).ToArray())];
        _readings = [.. _cycles.SelectMany(c => c)];
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [IterationSetup]
    public void EmptyTelemetry() => _bench.Run($"TRUNCATE {_bench.Schema}.device_telemetry");

    /// <summary>500,000 readings through <c>ITelemetryStore.AppendTelemetryAsync</c>, one call: checks, then one binary COPY in one transaction.</summary>
    [Benchmark]
    [BenchmarkCategory("Telemetry500k")]
    public Task AppendHalfMillion() => _bench.Store.AppendTelemetryAsync(_readings).AsTask();

    /// <summary>The floor: the same 500,000 rows by one raw binary COPY.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Telemetry500k")]
    public Task RawCopyHalfMillion() => RawCopyAsync(_readings);

    /// <summary>The same readings as a poller writes them: one <c>AppendTelemetryAsync</c> of 10,000 readings per cycle.</summary>
    [Benchmark]
    [BenchmarkCategory("Telemetry500kBatched")]
    public async Task AppendHalfMillionInCycles()
    {
        foreach (var cycle in _cycles)
        {
            await _bench.Store.AppendTelemetryAsync(cycle);
        }
    }

    /// <summary>The floor for cycles: one raw binary COPY of each cycle's 10,000 rows.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Telemetry500kBatched")]
    public async Task RawCopyHalfMillionInCycles()
    {
        foreach (var cycle in _cycles)
        {
            await RawCopyAsync(cycle);
        }
    }

    private async Task RawCopyAsync(TelemetryReading[] rows)
    {
        await using var connection = await _bench.DataSource.OpenConnectionAsync();
        await using var import = await connection.BeginBinaryImportAsync($"COPY {_bench.Schema}.device_telemetry (device_id, timestamp, point, value) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            await import.StartRowAsync();
            await import.WriteAsync(row.DeviceId, NpgsqlDbType.Uuid);
            await import.WriteAsync(row.Timestamp, NpgsqlDbType.TimestampTz);
            await import.WriteAsync(row.Point, NpgsqlDbType.Text);
            await import.WriteAsync(row.Value!.Value, NpgsqlDbType.Double);
        }

        await import.CompleteAsync();
    }
}
