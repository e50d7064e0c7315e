using System.Collections.Concurrent;
using System.Threading.Channels;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Transport;

namespace Flux.Devices.Tests.Health;

/// <summary>
/// A transport with no network: each read is recorded, then does what <see cref="Reply"/> says (nothing, by default),
/// then fills its destination (a register's value is its address; a bit is set at odd addresses).
/// </summary>
internal sealed class FakeModbusTransport : IModbusTransport
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<Read> _log = new();
    private readonly Channel<Read> _reads = Channel.CreateUnbounded<Read>();

    /// <summary>What every read does before it answers: throw to fail it, wait on the token to stall it.</summary>
    public Func<Read, CancellationToken, Task> Reply { get; set; } = static (_, _) => Task.CompletedTask;

    public IReadOnlyList<Read> Reads => [.. _log];

    /// <summary>A reply that never comes: the read ends when its token is cancelled.</summary>
    public static Task Stall(Read read, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    public static Func<Read, CancellationToken, Task> Throw(Exception exception) => (_, _) => Task.FromException(exception);

    /// <summary>Waits for the next read to reach the transport.</summary>
    public async Task<Read> NextReadAsync() =>
        await _reads.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken);

    public ValueTask ReadHoldingRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadRegistersAsync(new Read(endpoint, unitId, RegisterKind.Holding, startAddress, destination.Length), destination, cancellationToken);

    public ValueTask ReadInputRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        ReadRegistersAsync(new Read(endpoint, unitId, RegisterKind.Input, startAddress, destination.Length), destination, cancellationToken);

    public ValueTask ReadCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(new Read(endpoint, unitId, RegisterKind.Coil, startAddress, destination.Length), destination, cancellationToken);

    public ValueTask ReadDiscreteInputsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(new Read(endpoint, unitId, RegisterKind.DiscreteInput, startAddress, destination.Length), destination, cancellationToken);

    public ValueTask WriteSingleCoilAsync(ModbusEndpoint endpoint, byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask WriteSingleRegisterAsync(ModbusEndpoint endpoint, byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask WriteMultipleCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask WriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask ReadWriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort readStartAddress, Memory<ushort> readDestination, ushort writeStartAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask<DeviceIdentification> ReadDeviceIdentificationAsync(ModbusEndpoint endpoint, byte unitId, DeviceIdentificationCategory category = DeviceIdentificationCategory.Basic, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    private async ValueTask ReadRegistersAsync(Read read, Memory<ushort> destination, CancellationToken cancellationToken)
    {
        await ReceiveAsync(read, cancellationToken);
        for (var i = 0; i < destination.Length; i++)
        {
            destination.Span[i] = (ushort)(read.Start + i);
        }
    }

    private async ValueTask ReadBitsAsync(Read read, Memory<bool> destination, CancellationToken cancellationToken)
    {
        await ReceiveAsync(read, cancellationToken);
        for (var i = 0; i < destination.Length; i++)
        {
            destination.Span[i] = (read.Start + i) % 2 == 1;
        }
    }

    private Task ReceiveAsync(Read read, CancellationToken cancellationToken)
    {
        _log.Enqueue(read);
        _reads.Writer.TryWrite(read);
        return Reply(read, cancellationToken);
    }

    /// <summary>One read that reached the transport.</summary>
    internal sealed record Read(ModbusEndpoint Endpoint, byte UnitId, RegisterKind Kind, ushort Start, int Count);
}
