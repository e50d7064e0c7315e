using System.Collections.Concurrent;
using System.Net;
using Flux.Devices.Health;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// Two health monitors with leases in one process, on one real PostgreSQL and real loopback Modbus devices, on the real
/// clock (the leases are on the server's): the second one gets its share, and no device is ever polled by both.
/// The test waits on the monitors' samples (events), never on a fixed sleep.
/// </summary>
public sealed class LeaseMonitorTests(PostgresServer server) : IAsyncLifetime
{
    private const int Devices = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(10);
    private readonly ContractSchema _schema = new(server);
    private PostgresDeviceStore _store = null!;
    private ModbusTcpServer _modbus = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await _schema.CreateAsync();
        _modbus = new ModbusTcpServer();
        await _modbus.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _modbus.DisposeAsync();
        await _schema.DropAsync();
    }

    [Fact]
    public async Task TwoMonitors_TheSecondGetsItsShare_NoDeviceIsPolledByBoth_AndAStopGivesEveryLeaseBack()
    {
        await using var a = Monitor("a");
        await using var b = Monitor("b");
        var registry = a.Services.GetRequiredService<IDeviceRegistry>();
        for (byte unit = 1; unit <= Devices; unit++)
        {
            var server = new ModbusUnit();
            server.SetRegisters(ModbusTable.HoldingRegisters, 0, [7]);
            _modbus.AddUnit(unit, server);
            var registration = SpecSamples.Bess($"LEASE-BESS-{unit:00}", modbusAddress: unit);
            registration = registration with { Metadata = registration.Metadata.With("ip_address", "127.0.0.1").With("port", (long)_modbus.Endpoint.Port) };
            var device = await registry.RegisterAsync(registration, cancellationToken: Cancel);
            await registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var loopA = a.Monitor.RunAsync(stop.Token);
        await a.Samples.WaitAsync(s => s.Select(x => x.DeviceId).Distinct().Count() == Devices); // alone: every device, first polls move them to Active

        var loopB = b.Monitor.RunAsync(stop.Token);
        await b.Samples.WaitAsync(s => s.Select(x => x.DeviceId).Distinct().Count() == Devices / 2);
        var handedOver = b.Samples.Snapshot().Select(x => x.DeviceId).ToHashSet();
        await b.Samples.WaitAsync(s => handedOver.All(id => s.Count(x => x.DeviceId == id) >= 3)); // a few more rounds
        var leases = (DeviceHealthMonitor)a.Monitor;
        Assert.Equal((Devices / 2, Devices / 2), (leases.Leases!.HeldCount, ((DeviceHealthMonitor)b.Monitor).Leases!.HeldCount));

        await stop.CancelAsync();
        await Task.WhenAll(loopA, loopB).WaitAsync(Patience, Cancel);

        // b polled only what a gave back, and only after a's last poll of it; a kept polling the rest.
        var bySource = a.Samples.Snapshot().Select(s => ("a", s)).Concat(b.Samples.Snapshot().Select(s => ("b", s))).ToList();
        foreach (var device in bySource.Select(x => x.s.DeviceId).Distinct())
        {
            var ofA = bySource.Where(x => x.Item1 == "a" && x.s.DeviceId == device).Select(x => x.s.Timestamp).ToList();
            var ofB = bySource.Where(x => x.Item1 == "b" && x.s.DeviceId == device).Select(x => x.s.Timestamp).ToList();
            Assert.NotEmpty(ofA); // a polled every device first
            Assert.True(ofB.Count == 0 || ofA.Max() < ofB.Min(), $"device {device} was polled by a after b took it over");
            Assert.Equal(handedOver.Contains(device), ofB.Count > 0);
        }

        // A clean stop gave every lease back.
        await using var count = new NpgsqlConnection(server.ConnectionString);
        await count.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {_store.Schema}.device_leases", count);
        Assert.Equal(0L, await command.ExecuteScalarAsync(Cancel));
        Assert.Empty(await _store.ListInstancesAsync(Cancel));
    }

    [Fact]
    public async Task ABackloggedMonitor_GivesBackItsExtrasAtOnce_AJoinerHasItsShareWithinOneLeaseTime()
    {
        // a polls slow devices (50 ms a reply) with one poll slot, every 300 ms: always behind, so every device it holds
        // has a poll waiting for the slot. Those waiting polls must not keep it from giving devices back (the fleet
        // benchmark's cold start: the first monitor held every device for minutes).
        const int devices = 30;
        await using var a = Monitor("a", slots: 1);
        await using var b = Monitor("b", slots: 1);
        var registry = a.Services.GetRequiredService<IDeviceRegistry>();
        for (byte unit = 1; unit <= devices; unit++)
        {
            var server = new ModbusUnit();
            server.SetRegisters(ModbusTable.HoldingRegisters, 0, [7]);
            server.Faults.ResponseDelay = TimeSpan.FromMilliseconds(50);
            _modbus.AddUnit(unit, server);
            var registration = SpecSamples.Bess($"SLOW-BESS-{unit:00}", modbusAddress: unit);
            registration = registration with { Metadata = registration.Metadata.With("ip_address", "127.0.0.1").With("port", (long)_modbus.Endpoint.Port) };
            var device = await registry.RegisterAsync(registration, cancellationToken: Cancel);
            await registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var leasesA = ((DeviceHealthMonitor)a.Monitor).Leases!;
        var leasesB = ((DeviceHealthMonitor)b.Monitor).Leases!;
        var loopA = a.Monitor.RunAsync(stop.Token);
        await a.Samples.WaitAsync(s => leasesA.HeldCount == devices && s.Count >= devices);

        var joined = DateTimeOffset.UtcNow;
        var loopB = b.Monitor.RunAsync(stop.Token);
        var most = (int)Math.Ceiling(devices / 2.0 * 1.1);
        await b.Samples.WaitAsync(_ => leasesB.HeldCount >= devices / 2 && leasesA.HeldCount <= most);
        var took = DateTimeOffset.UtcNow - joined;

        await stop.CancelAsync();
        await Task.WhenAll(loopA, loopB).WaitAsync(Patience, Cancel);
        Assert.True(took <= LeaseTime, $"b had its share {took.TotalSeconds:F1} s after it started; the lease time is {LeaseTime.TotalSeconds} s");
    }

    private Rig Monitor(string name, int slots = 64)
    {
        var samples = new Samples();
        var services = new ServiceCollection();
        services.AddFluxDevices()
            .UseStore(_store)
            .UseModbusTcp()
            .AddHealthObserver(samples)
            .AddHealthMonitor(o =>
            {
                o.DefaultPollingInterval = TimeSpan.FromMilliseconds(300);
                o.RefreshInterval = TimeSpan.FromSeconds(1);
                o.MaxConcurrentPolls = slots;
                o.Leases.Enabled = true;
                o.Leases.InstanceName = name;
                o.Leases.LeaseTime = LeaseTime; // generous on a busy machine: no lease runs out while renewing
                o.Leases.RenewInterval = TimeSpan.FromMilliseconds(500);
            });
        var provider = services.BuildServiceProvider();
        return new Rig(provider, provider.GetRequiredService<IDeviceHealthMonitor>(), samples);
    }

    private sealed record Rig(ServiceProvider Services, IDeviceHealthMonitor Monitor, Samples Samples) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    /// <summary>Every sample a monitor takes; a test waits for a condition on them, checked as each arrives.</summary>
    private sealed class Samples : IDeviceHealthObserver
    {
        private readonly ConcurrentQueue<DeviceHealthSample> _samples = new();
        private readonly Lock _lock = new();
        private readonly List<(Func<IReadOnlyList<DeviceHealthSample>, bool> Condition, TaskCompletionSource Done)> _waiting = [];

        public IReadOnlyList<DeviceHealthSample> Snapshot() => [.. _samples];

        public ValueTask OnSampledAsync(Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
        {
            _samples.Enqueue(sample);
            Check();
            return ValueTask.CompletedTask;
        }

        public async Task WaitAsync(Func<IReadOnlyList<DeviceHealthSample>, bool> condition)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                _waiting.Add((condition, done));
            }

            Check();
            await done.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        }

        private void Check()
        {
            lock (_lock)
            {
                var snapshot = Snapshot();
                foreach (var (condition, done) in _waiting.Where(w => w.Condition(snapshot)).ToList())
                {
                    done.TrySetResult();
                    _waiting.RemoveAll(w => w.Done == done);
                }
            }
        }
    }
}
