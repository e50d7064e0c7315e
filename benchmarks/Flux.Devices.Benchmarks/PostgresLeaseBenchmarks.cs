using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// The lease cost of one monitor instance's renewal and claim, the batches of the fleet of issue 15 (10,000 devices,
/// three instances): a claim of 3,333 leases (<c>FOR NO KEY UPDATE SKIP LOCKED</c>, one statement) and the renewal of an
/// instance holding 3,333 (the heartbeat and every lease, one batch), against the local server of
/// <c>FLUX_BENCH_POSTGRES</c>. Each is one command (one round trip) plus the transaction's <c>COMMIT</c>, whatever the
/// number of leases. One operation is one whole claim or renewal.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15, invocationCount: 1)]
[MemoryDiagnoser]
public class PostgresLeaseBenchmarks
{
    private const int Devices = 10_000;
    private const int Share = 3_333;
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);

    private PostgresBench _bench = null!;
    private Flux.Devices.Postgres.PostgresDeviceStore _leases = null!;
    private MonitorInstance _holder = null!;
    private MonitorInstance _claimer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = PostgresBench.Create("bench_leases");
        _bench.Registry.RegisterManyAsync([.. Enumerable.Range(0, Devices).Select(i => SpecSamples.Bess($"SITE{i % 20:00}-BESS-{i:D6}", site: $"SITE{i % 20:00}", modbusAddress: 1 + (i % 247)))]).AsTask().GetAwaiter().GetResult();
        _bench.Run($"UPDATE {_bench.Schema}.mg_device_registry SET state = 'configured'");
        _leases = _bench.Store;
        _holder = new MonitorInstance { Id = Guid.NewGuid(), Name = "holder" };
        _claimer = new MonitorInstance { Id = Guid.NewGuid(), Name = "claimer" };
        _leases.RenewAsync(_holder, LeaseTime).AsTask().GetAwaiter().GetResult();
        _leases.RenewAsync(_claimer, LeaseTime).AsTask().GetAwaiter().GetResult();
        var held = _leases.ClaimAsync(_holder.Id, DeviceFilter.All, Share, LeaseTime).AsTask().GetAwaiter().GetResult();
        if (held.Count != Share)
        {
            throw new InvalidOperationException($"The holder claimed {held.Count} leases, not {Share}: are the devices Configured?");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [IterationSetup(Target = nameof(Claim3333))]
    public void GiveBack() => _leases.ReleaseAsync(_claimer.Id, null).AsTask().GetAwaiter().GetResult();

    /// <summary>An instance's renewal: its heartbeat, and the 3,333 leases it holds extended and read back with their tokens.</summary>
    [Benchmark]
    public async Task<int> Renew3333() => (await _leases.RenewAsync(_holder, LeaseTime)).Held.Count;

    /// <summary>An instance's claim of its share: 3,333 unleased devices taken, each with a new fencing token.</summary>
    [Benchmark]
    public async Task<int> Claim3333() => (await _leases.ClaimAsync(_claimer.Id, DeviceFilter.All, Share, LeaseTime)).Count;
}
