namespace Flux.Devices.Control;

/// <summary>
/// One lock per device, within the process, that a control write holds from its state check until its outcome is
/// recorded and that a lifecycle move holds from reading the device until its write is committed: so a device that
/// enters maintenance while a write is on its way either makes the write refused, or waits for it to finish.
/// </summary>
/// <remarks>
/// Locks exist only while someone holds or waits for them. This fences one process; processes that share a store and
/// both write and move devices need a lock the store holds (a PostgreSQL advisory lock on the device, taken by the
/// write for its whole length and by the move's transaction), which this library does not take yet.
/// </remarks>
internal sealed class DeviceControlGate
{
    private readonly Dictionary<Guid, Slot> _slots = [];

    /// <summary>Called with the device's id when a caller has to wait for another (a test's hook).</summary>
    internal Action<Guid>? Contended { get; set; }

    /// <summary>Waits for the device's lock.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lock, released by disposing it.</returns>
    public async ValueTask<Held> EnterAsync(Guid deviceId, CancellationToken cancellationToken)
    {
        Slot slot;
        lock (_slots)
        {
            if (!_slots.TryGetValue(deviceId, out slot!))
            {
                _slots[deviceId] = slot = new Slot();
            }

            slot.Users++;
        }

        try
        {
            if (!slot.Semaphore.Wait(0, CancellationToken.None))
            {
                Contended?.Invoke(deviceId);
                await slot.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            Leave(deviceId, slot, release: false);
            throw;
        }

        return new Held(this, deviceId, slot);
    }

    private void Leave(Guid deviceId, Slot slot, bool release)
    {
        lock (_slots)
        {
            if (release)
            {
                slot.Semaphore.Release();
            }

            if (--slot.Users == 0)
            {
                _slots.Remove(deviceId);
                slot.Semaphore.Dispose();
            }
        }
    }

    /// <summary>A held lock; disposing it (once) releases it.</summary>
    internal sealed class Held : IDisposable
    {
        private readonly DeviceControlGate _gate;
        private readonly Guid _deviceId;
        private Slot? _slot;

        public Held(DeviceControlGate gate, Guid deviceId, Slot slot)
        {
            _gate = gate;
            _deviceId = deviceId;
            _slot = slot;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _slot, null) is { } slot)
            {
                _gate.Leave(_deviceId, slot, release: true);
            }
        }
    }

    internal sealed class Slot
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
