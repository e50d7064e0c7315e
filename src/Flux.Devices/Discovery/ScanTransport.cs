using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>
/// The only transport discovery code gets: it forwards register reads of at most <see cref="ProbeContext.MaxQuantity"/>
/// registers and device identification, spaced to the per-host rate cap, and refuses everything else before it reaches
/// the wire. One instance serves one host; a probe that reads in parallel is served one request at a time.
/// </summary>
internal sealed class ScanTransport(IModbusTransport inner, TimeSpan spacing, TimeProvider time, Action onRequest) : IModbusTransport, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _nextAllowed;

    public ValueTask ReadHoldingRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadAsync(true, endpoint, unitId, startAddress, destination, cancellationToken);

    public ValueTask ReadInputRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadAsync(false, endpoint, unitId, startAddress, destination, cancellationToken);

    public async ValueTask<DeviceIdentification> ReadDeviceIdentificationAsync(
        ModbusEndpoint endpoint,
        byte unitId,
        DeviceIdentificationCategory category = DeviceIdentificationCategory.Basic,
        CancellationToken cancellationToken = default)
    {
        CheckUnitId(unitId);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
            return await inner.ReadDeviceIdentificationAsync(endpoint, unitId, category, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();

    public ValueTask ReadCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) => Refuse("read coils");

    public ValueTask ReadDiscreteInputsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) => Refuse("read discrete inputs");

    public ValueTask WriteSingleCoilAsync(ModbusEndpoint endpoint, byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) => Refuse("write");

    public ValueTask WriteSingleRegisterAsync(ModbusEndpoint endpoint, byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default) => Refuse("write");

    public ValueTask WriteMultipleCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) => Refuse("write");

    public ValueTask WriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) => Refuse("write");

    public ValueTask ReadWriteMultipleRegistersAsync(
        ModbusEndpoint endpoint,
        byte unitId,
        ushort readStartAddress,
        Memory<ushort> readDestination,
        ushort writeStartAddress,
        ReadOnlyMemory<ushort> values,
        CancellationToken cancellationToken = default) => Refuse("write");

    private async ValueTask ReadAsync(bool holding, ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken)
    {
        if (destination.Length > ProbeContext.MaxQuantity)
        {
            throw new NotSupportedException($"Discovery reads at most {ProbeContext.MaxQuantity} registers at a time, not {destination.Length}.");
        }

        CheckUnitId(unitId);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WaitForSlotAsync(cancellationToken).ConfigureAwait(false);
            if (holding)
            {
                await inner.ReadHoldingRegistersAsync(endpoint, unitId, startAddress, destination, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await inner.ReadInputRegistersAsync(endpoint, unitId, startAddress, destination, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private static void CheckUnitId(byte unitId)
    {
        if (unitId is 0 or (> 247 and < 255))
        {
            throw new NotSupportedException($"Discovery never addresses unit id {unitId}: 0 is the broadcast id and 248..254 are reserved.");
        }
    }

    /// <summary>Waits for the host's next request slot (under the turn).</summary>
    private async ValueTask WaitForSlotAsync(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_nextAllowed > now)
        {
            await Task.Delay(time.GetElapsedTime(now, _nextAllowed), time, cancellationToken).ConfigureAwait(false);
            now = _nextAllowed;
        }

        _nextAllowed = now + (long)(spacing.TotalSeconds * time.TimestampFrequency);
        onRequest();
    }

    private static ValueTask Refuse(string what) =>
        ValueTask.FromException(new NotSupportedException($"Discovery is read-only: it does not {what}."));
}
