using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Health;

/// <summary>
/// The lifecycle moves of concurrent polls are written in store batches (a group commit), not one transaction each: a
/// fleet's first polls (Configured → Testing → Active) were two store writes per device.
/// </summary>
public sealed class LifecycleBatchTests : IAsyncDisposable
{
    private const int Devices = 20;

    private readonly ServiceProvider _services;

    public LifecycleBatchTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)));
        services.AddFluxDevices()
            .UseStore(Store)
            .UseTransport(_ => new FakeModbusTransport());
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private CountingStore Store { get; } = new(new InMemoryDeviceStore());

    [Fact]
    public async Task CheckAsync_OfConfiguredDevices_WritesTheirMovesInBatches_NotOneWritePerMove()
    {
        var registry = _services.GetRequiredService<IDeviceRegistry>();
        for (var i = 0; i < Devices; i++)
        {
            var device = await registry.RegisterAsync(HealthTestDevices.Registration($"WLCE-BESS-{i:D2}", (byte)(i + 1)), cancellationToken: Cancel);
            await registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: Cancel);
        }

        Store.Writes.Clear();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Store.Hold = hold.Task; // the first write waits, as a busy database's commit does, while the other polls queue their moves

        // The in-memory store answers at once: CheckAsync returns when every poll waits for its first move.
        var check = Monitor.CheckAsync(cancellationToken: Cancel).AsTask();
        hold.SetResult();
        var samples = await check.WaitAsync(FakeModbusTransport.Patience, Cancel);

        Assert.Equal(Devices, samples.Count);
        foreach (var sample in samples)
        {
            var history = await registry.GetHistoryAsync(sample.DeviceId, Cancel);
            Assert.Equal([DeviceState.Configured, DeviceState.Testing, DeviceState.Active], history.Skip(1).Select(h => h.ToState));
        }

        // 40 moves: before, 40 single writes; now the 20 moves to Testing in at most two batches (the held one and the
        // rest), and all moves in fewer writes than moves.
        var writes = Store.Writes.ToList();
        Assert.DoesNotContain(writes, w => w.Single);
        Assert.Equal(2 * Devices, writes.Sum(w => w.States.Count));
        Assert.InRange(writes.Count(w => w.States.Contains(DeviceState.Testing)), 1, 2);
        Assert.InRange(writes.Count, 2, Devices + 2);
    }

    private IDeviceHealthMonitor Monitor => _services.GetRequiredService<IDeviceHealthMonitor>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>The in-memory store, recording each device write (one device's, or a batch's) with the states it writes; the first may be held.</summary>
    private sealed class CountingStore(InMemoryDeviceStore inner) : DelegatingDeviceStore(inner)
    {
        public System.Collections.Concurrent.ConcurrentQueue<(bool Single, IReadOnlyList<DeviceState> States)> Writes { get; } = new();

        public Task? Hold { get; set; }

        public override async ValueTask UpdateAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default)
        {
            await HeldAsync();
            Writes.Enqueue((true, [device.State]));
            await base.UpdateAsync(device, entry, cancellationToken);
        }

        public override async ValueTask<IReadOnlyList<DeviceWriteOutcome>> UpdateManyAsync(IReadOnlyList<DeviceWrite> writes, CancellationToken cancellationToken = default)
        {
            await HeldAsync();
            Writes.Enqueue((false, [.. writes.Select(w => w.Device.State)]));
            return await base.UpdateManyAsync(writes, cancellationToken);
        }

        private async Task HeldAsync()
        {
            if (Hold is { } hold)
            {
                Hold = null;
                await hold.WaitAsync(FakeModbusTransport.Patience);
            }
        }
    }
}
