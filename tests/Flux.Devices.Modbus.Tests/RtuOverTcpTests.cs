using System.Net;
using System.Net.Sockets;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests;

/// <summary>
/// RTU over TCP: CRC-16/MODBUS vectors, the frame of every function the client sends and the reply length of every
/// function it reads, recovery from a bad CRC, unframeable bytes and a partial frame, and the client against our
/// server in RTU framing, all on 127.0.0.1.
/// </summary>
public sealed class RtuOverTcpTests
{
    private static readonly ModbusTcpOptions NoRetries = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(30),
        RetryCount = 0,
        RetryDelay = TimeSpan.Zero,
        MaxRetryDelay = TimeSpan.Zero,
        RtuSilentInterval = TimeSpan.Zero,
    };

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("01 03 00 00 00 0A", "C5 CD")] // the vector: read 10 holding registers from 0
    [InlineData("02 07", "41 12")] // Modbus over Serial Line v1.02, 6.2.2: CRC 0x1241, low byte first
    [InlineData("01 03 04 07 D5 07 D6", "69 11")] // a reply from pymodbus 3.0's RTU framer
    [InlineData("11 03 00 6B 00 03", "76 87")] // Application Protocol v1.1b3's FC3 example at unit 0x11
    public void Crc_KnownFrames_GivesTheirCrcLowByteFirst(string body, string crc)
    {
        var frame = new byte[RtuFrame.MaxFrameLength];
        var pdu = Convert.FromHexString(body.Replace(" ", string.Empty, StringComparison.Ordinal));
        pdu.AsSpan(1).CopyTo(frame.AsSpan(1));

        var length = RtuFrame.Write(frame, pdu[0], pdu.Length - 1);

        Assert.Equal(body + " " + crc, Convert.ToHexString(frame, 0, length).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + " " + b));
        Assert.True(RtuFrame.CheckCrc(frame.AsSpan(0, length), out var error), error);
        frame[length - 1] ^= 0x01;
        Assert.False(RtuFrame.CheckCrc(frame.AsSpan(0, length), out error));
        Assert.Contains("CRC", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("01 01 02 CD 01")]
    [InlineData("01 02 01 05")]
    [InlineData("01 03 06 02 2B 00 00 00 64")]
    [InlineData("01 04 02 00 0A")]
    [InlineData("01 05 00 AC FF 00")]
    [InlineData("01 06 00 01 00 03")]
    [InlineData("01 0F 00 13 00 0A")]
    [InlineData("01 10 00 01 00 02")]
    [InlineData("01 17 04 00 FE 0A CD")]
    [InlineData("01 2B 0E 01 01 00 00 02 00 03 41 42 43 01 02 58 31")]
    [InlineData("01 83 02")]
    public void MeasureReply_EveryFunction_NeedsMoreUntilTheLastByteThenCompletes(string body)
    {
        var frame = ScriptedRtuPeer.Frame(body);
        for (var i = 0; i < frame.Length; i++)
        {
            Assert.Equal(FrameStatus.NeedMoreData, RtuFrame.MeasureReply(frame.AsSpan(0, i), out _, out _));
        }

        Assert.Equal(FrameStatus.Complete, RtuFrame.MeasureReply([.. frame, 0x00, 0x01], out var length, out var error));
        Assert.Equal(frame.Length, length);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("01 47 00 00", "function 0x47")]
    [InlineData("01 03 FE", "longest RTU frame")]
    [InlineData("01 2B 0D 00", "MEI type 0x0D")]
    public void MeasureReply_BytesThatCannotBeFramed_AreInvalidWithAReason(string hex, string reason)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

        Assert.Equal(FrameStatus.Invalid, RtuFrame.MeasureReply(bytes, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_EveryFunction_SendsTheRtuFrameAndReadsTheReplyFramedByItsLength()
    {
        // Each reply arrives in two pieces, its first byte and the rest, so the client must frame it by length.
        (string Request, string Reply)[] exchanges =
        [
            ("07 01 00 13 00 0A", "07 01 02 CD 01"),
            ("07 02 00 C4 00 03", "07 02 01 05"),
            ("07 03 00 6B 00 03", "07 03 06 02 2B 00 00 00 64"),
            ("07 04 00 08 00 01", "07 04 02 00 0A"),
            ("07 05 00 AC FF 00", "07 05 00 AC FF 00"),
            ("07 06 00 01 00 03", "07 06 00 01 00 03"),
            ("07 0F 00 13 00 0A 02 CD 01", "07 0F 00 13 00 0A"),
            ("07 10 00 01 00 02 04 00 0A 01 02", "07 10 00 01 00 02"),
            ("07 17 00 03 00 02 00 0E 00 01 02 00 FF", "07 17 04 00 FE 0A CD"),
            ("07 2B 0E 01 00", "07 2B 0E 01 01 00 00 02 00 03 41 42 43 01 02 58 31"),
            ("07 03 00 00 00 01", "07 83 02"),
        ];
        await using var peer = new ScriptedRtuPeer((i, _) =>
        {
            var reply = ScriptedRtuPeer.Frame(exchanges[i].Reply);
            return [reply[..1], reply[1..]];
        });
        await using var client = new ModbusTcpTransport(NoRetries);
        var endpoint = peer.Endpoint;

        var coils = new bool[10];
        await client.ReadCoilsAsync(endpoint, 7, 0x13, coils, Cancel);
        var inputs = new bool[3];
        await client.ReadDiscreteInputsAsync(endpoint, 7, 0xC4, inputs, Cancel);
        var holding = new ushort[3];
        await client.ReadHoldingRegistersAsync(endpoint, 7, 0x6B, holding, Cancel);
        var input = new ushort[1];
        await client.ReadInputRegistersAsync(endpoint, 7, 8, input, Cancel);
        await client.WriteSingleCoilAsync(endpoint, 7, 0xAC, true, Cancel);
        await client.WriteSingleRegisterAsync(endpoint, 7, 1, 3, Cancel);
        await client.WriteMultipleCoilsAsync(endpoint, 7, 0x13, new[] { true, false, true, true, false, false, true, true, true, false }, Cancel);
        await client.WriteMultipleRegistersAsync(endpoint, 7, 1, new ushort[] { 0x000A, 0x0102 }, Cancel);
        var readWrite = new ushort[2];
        await client.ReadWriteMultipleRegistersAsync(endpoint, 7, 3, readWrite, 0x0E, new ushort[] { 0x00FF }, Cancel);
        var identification = await client.ReadDeviceIdentificationAsync(endpoint, 7, DeviceIdentificationCategory.Basic, Cancel);
        var refused = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(endpoint, 7, 0, new ushort[1], Cancel).AsTask());

        Assert.Equal(exchanges.Select(e => Convert.ToHexString(ScriptedRtuPeer.Frame(e.Request))), peer.Requests.Select(Convert.ToHexString));
        Assert.Equal(new[] { true, false, true, true, false, false, true, true, true, false }, coils);
        Assert.Equal(new[] { true, false, true }, inputs);
        Assert.Equal(new ushort[] { 0x022B, 0, 0x64 }, holding);
        Assert.Equal((ushort)10, input[0]);
        Assert.Equal(new ushort[] { 0x00FE, 0x0ACD }, readWrite);
        Assert.Equal("ABC", identification.VendorName);
        Assert.Equal("X1", identification.ProductCode);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, refused.Code);
        Assert.Equal(1, peer.Connections);
    }

    [Theory]
    [InlineData("bad CRC, then garbage", "CRC 0x")]
    [InlineData("unframeable bytes", "function 0x47, whose reply length is unknown")]
    [InlineData("well framed, another unit", "unit id 5 in reply to unit id 1")]
    public async Task Client_BadReply_FailsTypedThenTheNextRequestWorksOnTheSameConnection(string fault, string reason)
    {
        byte[][] first = fault switch
        {
            "bad CRC, then garbage" => [Corrupt(ScriptedRtuPeer.Frame("01 03 02 00 2A")), [0x00, 0xFF, 0x13]],
            "unframeable bytes" => [[0x01, 0x47, 0x11, 0x22, 0x33]],
            _ => [ScriptedRtuPeer.Frame("05 03 02 00 01")],
        };
        await using var peer = new ScriptedRtuPeer((i, _) => i == 0 ? first : [ScriptedRtuPeer.Frame("01 03 02 00 2B")]);
        await using var client = new ModbusTcpTransport(NoRetries);
        var value = new ushort[1];

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadHoldingRegistersAsync(peer.Endpoint, 1, 0, value, Cancel).AsTask());
        await client.ReadHoldingRegistersAsync(peer.Endpoint, 1, 0, value, Cancel);

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal((ushort)0x2B, value[0]);
        Assert.Equal(1, peer.Connections); // re-synchronised (or still aligned), not reconnected

        static byte[] Corrupt(byte[] frame)
        {
            frame[^1] ^= 0xFF;
            return frame;
        }
    }

    [Fact]
    public async Task Client_TlsWithRtuFraming_IsRefusedBeforeAnyConnection()
    {
        await using var client = new ModbusTcpTransport(NoRetries);
        var endpoint = ModbusEndpoint.Parse("rtu+tcp://127.0.0.1:1") with { UseTls = true };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1], Cancel).AsTask());

        Assert.Contains("RTU", error.Message, StringComparison.Ordinal);
        Assert.Equal("endpoint", error.ParamName);
    }

    [Fact]
    public async Task Client_WriteWithBadCrcReply_IsAWriteOfUnknownOutcome()
    {
        await using var peer = new ScriptedRtuPeer((_, request) =>
        {
            var echo = request.ToArray();
            echo[^2] ^= 0xFF;
            return [echo];
        });
        await using var client = new ModbusTcpTransport(NoRetries);

        var error = await Assert.ThrowsAsync<ModbusWriteOutcomeUnknownException>(() => client.WriteSingleRegisterAsync(peer.Endpoint, 1, 9, 99, Cancel).AsTask());

        Assert.IsType<ModbusProtocolException>(error.InnerException);
    }

    [Fact]
    public async Task Client_PartialFrameThenSilence_TimesOutTypedAndTheNextRequestWorksOnAFreshConnection()
    {
        var clock = new WatchedClock();
        var timeout = TimeSpan.FromSeconds(2);
        await using var peer = new ScriptedRtuPeer((i, _) => i == 0 ? [[0x01, 0x03, 0x04, 0x00]] : [ScriptedRtuPeer.Frame("01 03 04 00 01 00 02")]);
        await using var client = new ModbusTcpTransport(
            new ModbusTcpOptions { RequestTimeout = timeout, RetryCount = 0, RetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero, RtuSilentInterval = TimeSpan.Zero },
            clock);
        var values = new ushort[2];

        var first = client.ReadHoldingRegistersAsync(peer.Endpoint, 1, 0, values, Cancel).AsTask();
        await clock.NextTimerAsync(t => t == timeout);
        await peer.WaitForRequestAsync(1); // the partial reply went out; then the device falls silent
        clock.Advance(timeout);
        var error = await Assert.ThrowsAsync<ModbusTimeoutException>(() => first);
        await client.ReadHoldingRegistersAsync(peer.Endpoint, 1, 0, values, Cancel);

        Assert.StartsWith("waiting for the reply", error.Stage, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 1, 2 }, values);
        Assert.Equal(2, peer.Connections); // its rest may still come: never on the connection of the next request
    }

    [Fact]
    public async Task Client_DeviceRefusing_ReportsTheRefusalDuringBackoffInsteadOfATimeout()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port; // closed again: connections to it are refused
        }

        var clock = new WatchedClock();
        await using var client = new ModbusTcpTransport(
            new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(30), RetryCount = 0, RetryDelay = TimeSpan.FromMinutes(1), MaxRetryDelay = TimeSpan.FromMinutes(1) },
            clock);
        var endpoint = new ModbusEndpoint("127.0.0.1", port) { Framing = ModbusFraming.RtuOverTcp };

        var refused = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1], Cancel).AsTask());
        var duringBackoff = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1], Cancel).AsTask());

        Assert.Contains("could not connect", refused.Message, StringComparison.Ordinal);
        Assert.Contains("1 failure in a row (last: ", duringBackoff.Message, StringComparison.Ordinal);
        Assert.Contains("after this request's deadline", duringBackoff.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_AgainstOurRtuServer_ReadsAndWritesEveryFunction()
    {
        await using var server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { Framing = ModbusFraming.RtuOverTcp, RecordRequests = true });
        var unit = Loopback.AddressEchoUnit();
        unit.Identification[0] = "Flux";
        unit.Identification[1] = "RTU-SIM";
        unit.Identification[2] = "1.0";
        server.AddUnit(3, unit);
        await using var client = new ModbusTcpTransport(NoRetries);
        var endpoint = server.Endpoint;

        var holding = new ushort[125];
        await client.ReadHoldingRegistersAsync(endpoint, 3, 1000, holding, Cancel);
        var input = new ushort[2];
        await client.ReadInputRegistersAsync(endpoint, 3, 10, input, Cancel);
        var coils = new bool[2000];
        await client.ReadCoilsAsync(endpoint, 3, 0, coils, Cancel);
        var discrete = new bool[5];
        await client.ReadDiscreteInputsAsync(endpoint, 3, 0, discrete, Cancel);
        await client.WriteSingleRegisterAsync(endpoint, 3, 7, 0xBEEF, Cancel);
        await client.WriteMultipleRegistersAsync(endpoint, 3, 20, new ushort[] { 1, 2, 3 }, Cancel);
        await client.WriteSingleCoilAsync(endpoint, 3, 0, false, Cancel);
        await client.WriteMultipleCoilsAsync(endpoint, 3, 40, new[] { false, false, true }, Cancel);
        var readWrite = new ushort[3];
        await client.ReadWriteMultipleRegistersAsync(endpoint, 3, 20, readWrite, 21, new ushort[] { 9 }, Cancel);
        var identification = await client.ReadDeviceIdentificationAsync(endpoint, 3, DeviceIdentificationCategory.Basic, Cancel);
        var absent = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(endpoint, 4, 0, new ushort[1], Cancel).AsTask());
        var written = new ushort[1];
        unit.TryGetRegisters(ModbusTable.HoldingRegisters, 7, written);
        var writtenCoils = new bool[3];
        unit.TryGetBits(ModbusTable.Coils, 40, writtenCoils);

        Assert.Equal(ModbusFraming.RtuOverTcp, endpoint.Framing);
        Assert.StartsWith("rtu+tcp://127.0.0.1:", endpoint.ToString(), StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1000, 125).Select(i => (ushort)i), holding);
        Assert.Equal(new ushort[] { 10 ^ 0xFFFF, 11 ^ 0xFFFF }, input);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => i % 2 == 0), coils);
        Assert.Equal(new[] { false, true, false, true, false }, discrete);
        Assert.Equal((ushort)0xBEEF, written[0]);
        Assert.Equal(new[] { false, false, true }, writtenCoils);
        Assert.Equal(new ushort[] { 1, 9, 3 }, readWrite);
        Assert.Equal(("Flux", "RTU-SIM", "1.0"), (identification.VendorName, identification.ProductCode, identification.Revision));
        Assert.Equal(ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, absent.Code);
        Assert.Equal(11, server.RecordedRequests.Count);
    }

    [Fact]
    public async Task Client_OurRtuServerCorruptingItsCrc_FailsTypedThenWorksWhenTheFaultEnds()
    {
        await using var server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { Framing = ModbusFraming.RtuOverTcp });
        var unit = Loopback.AddressEchoUnit();
        server.AddUnit(1, unit);
        await using var client = new ModbusTcpTransport(NoRetries);
        var values = new ushort[4];

        unit.Faults.WrongTransactionId = true;
        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 100, values, Cancel).AsTask());
        unit.Faults.Reset();
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 100, values, Cancel);

        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 100, 101, 102, 103 }, values);
    }

    [Fact]
    public async Task OurRtuServer_RequestWithABadCrc_IsIgnoredAndTheNextRequestIsAnswered()
    {
        await using var server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { Framing = ModbusFraming.RtuOverTcp });
        server.AddUnit(1, Loopback.AddressEchoUnit());
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint, Cancel);
        var bad = ScriptedRtuPeer.Frame("01 03 00 05 00 01");
        bad[^1] ^= 0x10;
        var good = ScriptedRtuPeer.Frame("01 03 00 06 00 01");

        await socket.SendAsync(bad, SocketFlags.None, Cancel);
        var reply = new byte[64];
        var length = 0;
        for (var attempt = 0; attempt < 50 && length < 7; attempt++)
        {
            // Sent together with the bad frame, the good one is dropped with it (as a serial device drops a broken burst): send it again until answered.
            await socket.SendAsync(good, SocketFlags.None, Cancel);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            wait.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (length < 7)
                {
                    length += await socket.ReceiveAsync(reply.AsMemory(length), SocketFlags.None, wait.Token);
                }
            }
            catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
            {
            }
        }

        Assert.Equal(Convert.ToHexString(ScriptedRtuPeer.Frame("01 03 02 00 06")), Convert.ToHexString(reply, 0, length));
    }

    [Theory]
    [InlineData("rtu+tcp://127.0.0.1:1502", "127.0.0.1", 1502, ModbusFraming.RtuOverTcp, "rtu+tcp://127.0.0.1:1502")]
    [InlineData("RTU+TCP://gateway.local", "gateway.local", 502, ModbusFraming.RtuOverTcp, "rtu+tcp://gateway.local:502")]
    [InlineData("tcp://127.0.0.2:5020", "127.0.0.2", 5020, ModbusFraming.Tcp, "127.0.0.2:5020")]
    [InlineData("127.0.0.3", "127.0.0.3", 502, ModbusFraming.Tcp, "127.0.0.3:502")]
    [InlineData(" rtu+tcp://[::1]:8502/ ", "::1", 8502, ModbusFraming.RtuOverTcp, "rtu+tcp://[::1]:8502")]
    public void Parse_EndpointText_GivesHostPortAndFramingAndRoundTrips(string text, string host, int port, ModbusFraming framing, string printed)
    {
        var endpoint = ModbusEndpoint.Parse(text);

        Assert.Equal((host, port, framing), (endpoint.Host, endpoint.Port, endpoint.Framing));
        Assert.Equal(printed, endpoint.ToString());
        Assert.Equal(endpoint, ModbusEndpoint.Parse(endpoint.ToString()));
        Assert.NotEqual(endpoint, endpoint with { Framing = framing == ModbusFraming.Tcp ? ModbusFraming.RtuOverTcp : ModbusFraming.Tcp });
    }

    [Theory]
    [InlineData("udp://127.0.0.1", "scheme 'udp'")]
    [InlineData("rtu+tcp://127.0.0.1:0", "port")]
    [InlineData("127.0.0.1:http", "port")]
    [InlineData("127.0.0.1:", "port")]
    [InlineData("rtu+tcp://:502", "host")]
    [InlineData("::1", "brackets")]
    public void Parse_BadText_IsAFormatErrorNamingThePart(string text, string part)
    {
        var error = Assert.Throws<FormatException>(() => ModbusEndpoint.Parse(text));

        Assert.Contains(part, error.Message, StringComparison.Ordinal);
        Assert.False(ModbusEndpoint.TryParse(text, out _));
    }

    [Fact]
    public void Framing_Undefined_IsRefusedNamingTheProperty()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ModbusEndpoint("127.0.0.1") { Framing = (ModbusFraming)7 });

        Assert.Equal(nameof(ModbusEndpoint.Framing), error.ParamName);
    }

    [Fact]
    public void RtuSilentInterval_OutOfRange_IsRefusedNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ModbusTcpTransport(new ModbusTcpOptions { RtuSilentInterval = TimeSpan.FromSeconds(2) }));

        Assert.Contains(nameof(ModbusTcpOptions.RtuSilentInterval), error.Message, StringComparison.Ordinal);
    }
}
