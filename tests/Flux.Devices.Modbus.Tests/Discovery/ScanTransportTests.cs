using Flux.Devices.Discovery;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests.Discovery;

/// <summary>The guard every probe talks through: the per-host rate cap on a fake clock, and what it refuses before the wire.</summary>
public sealed class ScanTransportTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private ModbusTcpServer _server = null!;
    private ModbusTcpTransport _inner = null!;
    private int _sent;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { RecordRequests = true });
        _server.AddUnit(1, Loopback.AddressEchoUnit());
        _inner = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMinutes(5) });
    }

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Reads_AtTwoPerSecond_TheNextWaitsHalfASecondOnTheClock()
    {
        var transport = new ScanTransport(_inner, TimeSpan.FromSeconds(0.5), _time, () => _sent++);
        var buffer = new ushort[2];

        await transport.ReadHoldingRegistersAsync(_server.Endpoint, 1, 10, buffer, Cancel);
        var second = transport.ReadInputRegistersAsync(_server.Endpoint, 1, 10, buffer, Cancel).AsTask();
        _time.Advance(TimeSpan.FromSeconds(0.5) - TimeSpan.FromTicks(1));
        Assert.False(second.IsCompleted);
        Assert.Equal(1, _server.RequestCount);
        _time.Advance(TimeSpan.FromTicks(1));
        await second.WaitAsync(TimeSpan.FromSeconds(30), Cancel);

        Assert.Equal([(byte)3, (byte)4], _server.RecordedRequests.Select(r => r.FunctionCode));
        Assert.Equal(2, _sent);
    }

    [Fact]
    public async Task WritesCoilReadsLargeReadsAndUnitZero_AreRefusedBeforeTheWire()
    {
        var transport = new ScanTransport(_inner, TimeSpan.Zero, _time, () => _sent++);
        var endpoint = _server.Endpoint;

        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.WriteSingleRegisterAsync(endpoint, 1, 0, 1, Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.WriteMultipleRegistersAsync(endpoint, 1, 0, new ushort[] { 1 }, Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.WriteSingleCoilAsync(endpoint, 1, 0, true, Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.WriteMultipleCoilsAsync(endpoint, 1, 0, new bool[] { true }, Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.ReadWriteMultipleRegistersAsync(endpoint, 1, 0, new ushort[1], 0, new ushort[] { 1 }, Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.ReadCoilsAsync(endpoint, 1, 0, new bool[1], Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.ReadDiscreteInputsAsync(endpoint, 1, 0, new bool[1], Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[ProbeContext.MaxQuantity + 1], Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.ReadHoldingRegistersAsync(endpoint, 0, 0, new ushort[1], Cancel));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await transport.ReadDeviceIdentificationAsync(endpoint, 250, cancellationToken: Cancel));

        Assert.Equal(0, _server.RequestCount);
        Assert.Equal(0, _sent);
    }
}
