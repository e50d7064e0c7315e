using System.Net;
using System.Net.Sockets;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests;

/// <summary>Our server against raw request frames, including the ones our client refuses to send.</summary>
public sealed class ServerTests : IAsyncLifetime
{
    private ModbusTcpServer _server = null!;
    private Socket _socket = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { RecordRequests = true });
        var unit = Loopback.AddressEchoUnit();
        unit.Identification[0x00] = "Flux";
        unit.Identification[0x01] = "SIM";
        unit.Identification[0x02] = "1.0";
        _server.AddUnit(1, unit);
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await _socket.ConnectAsync(_server.LocalEndPoint);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(new byte[] { 0x03, 0x00, 0x00, 0x00, 0x00 }, new byte[] { 0x83, 0x03 })]       // quantity 0
    [InlineData(new byte[] { 0x03, 0x00, 0x00, 0x00, 0x7E }, new byte[] { 0x83, 0x03 })]       // quantity 126
    [InlineData(new byte[] { 0x01, 0x00, 0x00, 0x07, 0xD1 }, new byte[] { 0x81, 0x03 })]       // 2001 coils
    [InlineData(new byte[] { 0x03, 0xFF, 0xFF, 0x00, 0x02 }, new byte[] { 0x83, 0x02 })]       // past 65535
    [InlineData(new byte[] { 0x03, 0x00, 0x00 }, new byte[] { 0x83, 0x03 })]                   // truncated request
    [InlineData(new byte[] { 0x07 }, new byte[] { 0x87, 0x01 })]                               // unsupported function
    [InlineData(new byte[] { 0x05, 0x00, 0x01, 0x12, 0x34 }, new byte[] { 0x85, 0x03 })]       // coil value not FF00/0000
    [InlineData(new byte[] { 0x0F, 0x00, 0x00, 0x00, 0x09, 0x01, 0xFF }, new byte[] { 0x8F, 0x03 })] // 9 coils need 2 bytes
    [InlineData(new byte[] { 0x10, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x01 }, new byte[] { 0x90, 0x03 })] // 2 registers need 4 bytes
    [InlineData(new byte[] { 0x2B, 0x0E, 0x04, 0x09 }, new byte[] { 0xAB, 0x02 })]             // individual object 9 missing
    [InlineData(new byte[] { 0x2B, 0x0D, 0x01, 0x00 }, new byte[] { 0xAB, 0x01 })]             // another MEI type
    [InlineData(new byte[] { 0x03, 0x00, 0x0A, 0x00, 0x01 }, new byte[] { 0x03, 0x02, 0x00, 0x0A })] // a good one
    [InlineData(new byte[] { 0x2B, 0x0E, 0x04, 0x01 }, new byte[] { 0x2B, 0x0E, 0x04, 0x81, 0x00, 0x00, 0x01, 0x01, 0x03, 0x53, 0x49, 0x4D })]
    public async Task Request_GetsTheSpecsReply(byte[] requestPdu, byte[] expectedReplyPdu)
    {
        await _socket.SendAsync(ScriptedExchange.Frame(0x1234, 1, requestPdu), SocketFlags.None);

        var reply = await ReceiveFrameAsync();

        Assert.Equal(ScriptedExchange.Frame(0x1234, 1, expectedReplyPdu), reply);
    }

    [Fact]
    public async Task SpecTestVector_Fc3At40000_IsAnsweredAsTheSpecShows()
    {
        // MODBUS.md d1: request 00 01 00 00 00 06 01 03 9C 40 00 02.
        await _socket.SendAsync(new byte[] { 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x9C, 0x40, 0x00, 0x02 }, SocketFlags.None);

        var reply = await ReceiveFrameAsync();

        Assert.Equal(new byte[] { 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x01, 0x03, 0x04, 0x9C, 0x40, 0x9C, 0x41 }, reply);
        Assert.Equal(new ModbusRequestRecord { UnitId = 1, FunctionCode = 3, Address = 40000, Quantity = 2 }, Assert.Single(_server.RecordedRequests) with { ConnectionId = 0, RemoteEndPoint = null });
    }

    [Fact]
    public async Task Requests_AreRecordedWithTheirConnection_NumberedAndWithTheClientsEndpoint()
    {
        var request = ScriptedExchange.Frame(0x0001, 1, [0x03, 0x00, 0x0A, 0x00, 0x01]);
        await _socket.SendAsync(request, SocketFlags.None);
        await ReceiveFrameAsync();
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await second.ConnectAsync(_server.LocalEndPoint);
        await second.SendAsync(request, SocketFlags.None);
        var buffer = new byte[64];
        Assert.True(await second.ReceiveAsync(buffer, SocketFlags.None) > 0);
        await _socket.SendAsync(request, SocketFlags.None);
        await ReceiveFrameAsync();

        var recorded = _server.RecordedRequests.Select(r => (r.ConnectionId, r.RemoteEndPoint)).ToList();

        Assert.Equal([(1L, (IPEndPoint)_socket.LocalEndPoint!), (2L, (IPEndPoint)second.LocalEndPoint!), (1L, (IPEndPoint)_socket.LocalEndPoint!)], recorded);
    }

    [Fact]
    public async Task InvalidFrame_ClosesTheConnection()
    {
        await _socket.SendAsync(new byte[] { 0x00, 0x01, 0x00, 0x07, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01 }, SocketFlags.None);

        var buffer = new byte[16];
        Assert.Equal(0, await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task UnknownUnit_IgnoreOrAnswerEveryUnitId_AsConfigured()
    {
        await using var ignoring = await Loopback.StartServerAsync(new ModbusTcpServerOptions { UnknownUnit = UnknownUnitBehavior.Ignore });
        ignoring.AddUnit(1, Loopback.AddressEchoUnit());
        await using var everyId = await Loopback.StartServerAsync(new ModbusTcpServerOptions { AnswerEveryUnitId = Loopback.AddressEchoUnit() });
        var time = new FakeTimeProvider();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMilliseconds(300), RetryCount = 0 }, time);

        // The ignored request times out when the client's clock passes its deadline, once the server has it; the
        // answered one cannot time out however slow the machine is, as that clock does not move again.
        var ignored = client.ReadHoldingRegistersAsync(ignoring.Endpoint, 9, 0, new ushort[1]).AsTask();
        await Modbus.Tests.Support.ScriptedModbusServer.WaitAsync(() => ignoring.RequestCount == 1);
        time.Advance(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => ignored.WaitAsync(Patience, Cancel));
        var values = new ushort[1];
        await client.ReadHoldingRegistersAsync(everyId.Endpoint, 200, 77, values).AsTask().WaitAsync(Patience, Cancel);

        Assert.Equal(77, values[0]);
    }

    [Fact]
    public async Task PipelinedRequests_AreAllAnsweredInOrder()
    {
        byte[] frames = [.. Enumerable.Range(1, 10).SelectMany(i => ScriptedExchange.Frame((ushort)i, 1, 0x03, 0x00, (byte)i, 0x00, 0x01))];
        await _socket.SendAsync(frames, SocketFlags.None);

        for (var i = 1; i <= 10; i++)
        {
            Assert.Equal(ScriptedExchange.Frame((ushort)i, 1, 0x03, 0x02, 0x00, (byte)i), await ReceiveFrameAsync());
        }
    }

    [Theory]
    [InlineData(244, 244)]
    [InlineData(245, 244)]
    [InlineData(300, 244)]
    public async Task DeviceIdentification_LongObjects_AreCutToWhatFitsAReply(int length, int expected)
    {
        await using var server = await Loopback.StartServerAsync();
        var unit = new ModbusUnit();
        unit.Identification[0x00] = new string('V', length);
        unit.Identification[0x01] = "P";
        unit.Identification[0x02] = "R";
        server.AddUnit(1, unit);
        await using var client = FrozenClockClient();

        var identification = await client.ReadDeviceIdentificationAsync(server.Endpoint, 1).AsTask().WaitAsync(Patience, Cancel);

        Assert.Equal(new string('V', expected), identification.VendorName);
        Assert.Equal(("P", "R"), (identification.ProductCode, identification.Revision));
    }

    [Fact]
    public async Task ReadWrite_ReadRangeUnmapped_WritesNothing()
    {
        var unit = new ModbusUnit();
        unit.SetRegisters(ModbusTable.HoldingRegisters, 0, new ushort[10]);
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, unit);
        await using var client = FrozenClockClient();

        var error = await Assert.ThrowsAsync<ModbusException>(() =>
            client.ReadWriteMultipleRegistersAsync(server.Endpoint, 1, 500, new ushort[2], 0, new ushort[] { 7, 7 }).AsTask().WaitAsync(Patience, Cancel));

        var values = new ushort[2];
        unit.TryGetRegisters(ModbusTable.HoldingRegisters, 0, values);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, error.Code);
        Assert.Equal(new ushort[] { 0, 0 }, values);
    }

    [Fact]
    public async Task UnitThatThrows_AnswersServerDeviceFailure()
    {
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, new ThrowingUnit());
        await using var client = FrozenClockClient();

        var error = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask().WaitAsync(Patience, Cancel));

        Assert.Equal(ModbusExceptionCode.ServerDeviceFailure, error.Code);
    }

    private sealed class ThrowingUnit : ModbusUnit
    {
        public ThrowingUnit() => Map(ModbusTable.HoldingRegisters, 0, 10);

        protected override void OnReading(ModbusTable table, ushort start, int count) => throw new InvalidOperationException("sensor bus down");
    }

    /// <summary>How long a test waits in real time for something that takes milliseconds: only a hang exhausts it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A client whose clock never moves: its requests end with their replies, never at a deadline that a busy machine let pass.</summary>
    private static ModbusTcpTransport FrozenClockClient() => new(new ModbusTcpOptions { RetryCount = 0 }, new FakeTimeProvider());

    private readonly byte[] _received = new byte[4096];
    private int _filled;

    private async Task<byte[]> ReceiveFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (Protocol.ModbusFrame.TryRead(_received.AsSpan(0, _filled), out _, out var length, out _) == Protocol.FrameStatus.Complete)
            {
                var frame = _received[..length];
                _received.AsSpan(length, _filled - length).CopyTo(_received);
                _filled -= length;
                return frame;
            }

            var n = await _socket.ReceiveAsync(_received.AsMemory(_filled), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            _filled += n;
        }
    }
}
