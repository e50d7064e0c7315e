using System.Buffers.Binary;
using System.Diagnostics;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests;

/// <summary>
/// Every class of malformed reply: the client returns correct data or a typed error within its deadline, and the next
/// request on the same client succeeds. Replies come from a scripted peer; register values equal their address, so a
/// reply handed to the wrong request would show.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class MalformedReplyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    /// <summary>How long a test waits in real time for something that takes milliseconds: only a hang exhausts it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The clients' clock. It stands still unless a test moves it, so on a busy machine no reply is ever late by
    /// accident, and a deadline passes exactly when a test moves the clock past it, once the request is at the server.
    /// </summary>
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SplitFrame_IsReassembled()
    {
        await using var server = new ScriptedModbusServer(async x =>
        {
            var reply = x.RegisterReply();
            await x.SendAsync(reply[..5]);
            await Task.Delay(20);
            await x.SendAsync(reply[5..]);
        });
        await using var client = Client();

        Assert.Equal(new ushort[] { 100, 101, 102 }, await ReadAsync(client, server, 100, 3));
    }

    [Fact]
    public async Task FrameDrippedByteByByte_WithinTheDeadline_IsReassembled()
    {
        await using var server = new ScriptedModbusServer(x => x.DripAsync(x.RegisterReply(), TimeSpan.FromMilliseconds(5)));
        await using var client = Client();

        Assert.Equal(new ushort[] { 7, 8 }, await ReadAsync(client, server, 7, 2));
    }

    [Fact]
    public async Task FrameDrippedSlowerThanTheDeadline_TimesOutAtTheDeadline_AndTheNextRequestSucceeds()
    {
        // On the real clock: the bytes must reach the client before its deadline passes. Dripped in full, the reply
        // would take 13 x 300 ms; a deadline that each byte renewed would never pass, so the timeout shows that the
        // drip does not extend it. (How exactly a deadline is kept is shown on a fake clock in DeadlineTests; an upper
        // bound on the stopwatch would also measure how late a busy machine ran the test.)
        await using var server = new ScriptedModbusServer(x => x.RequestNumber == 1
            ? x.DripAsync(x.RegisterReply(), TimeSpan.FromMilliseconds(300))
            : x.SendAsync(x.RegisterReply()));
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Deadline, RetryCount = 0 });

        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ModbusTimeoutException>(() => ReadAsync(client, server, 1, 2));
        elapsed.Stop();

        // Timers run on the coarse monotonic clock (its tick is up to 4 ms on Linux) and the stopwatch on the fine one,
        // so a timer may fire a few milliseconds "early" by the stopwatch: 50 ms of slack, far below one 300 ms drip.
        Assert.True(elapsed.Elapsed >= Deadline - TimeSpan.FromMilliseconds(50), $"timed out after {elapsed.Elapsed}, before the deadline");
        Assert.Equal(Deadline, error.Timeout);
        Assert.Equal(new ushort[] { 5 }, await ReadAsync(client, server, 5, 1));
        Assert.Equal(2, server.Connections); // the dripping connection was dropped
    }

    [Fact]
    public async Task PeerClosesAfterTheHeader_FailsAtOnceAsTransportError_AndTheNextRequestSucceeds()
    {
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 1)
            {
                await x.SendAsync(x.RegisterReply()[..7]);
                x.Close();
            }
            else
            {
                await x.SendAsync(x.RegisterReply());
            }
        });
        await using var client = Client();

        // At once: the clients' clock stands still, so a failure that waited for the deadline would never come.
        await Assert.ThrowsAsync<ModbusTransportException>(() => ReadAsync(client, server, 1, 2));

        Assert.Equal(new ushort[] { 9 }, await ReadAsync(client, server, 9, 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(0x0100)]
    [InlineData(0xFFFF)]
    public async Task LengthFieldOutOfRange_IsAProtocolError_AndTheNextRequestSucceeds(int length)
    {
        await using var server = new ScriptedModbusServer(x =>
        {
            var reply = x.RegisterReply();
            if (x.RequestNumber == 1)
            {
                BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), (ushort)length);
            }

            return x.SendAsync(reply);
        });
        await using var client = Client();

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadAsync(client, server, 1, 2));

        Assert.Contains($"MBAP length {length}", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 3, 4 }, await ReadAsync(client, server, 3, 2));
    }

    [Theory]
    [InlineData(0x0001)]
    [InlineData(0x0100)]
    [InlineData(0xFFFF)]
    public async Task ProtocolIdNotZero_IsAProtocolError(int protocolId)
    {
        await using var server = new ScriptedModbusServer(x =>
        {
            var reply = x.RegisterReply();
            if (x.RequestNumber == 1)
            {
                BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), (ushort)protocolId);
            }

            return x.SendAsync(reply);
        });
        await using var client = Client();

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadAsync(client, server, 1, 2));

        Assert.Contains("protocol id", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 3 }, await ReadAsync(client, server, 3, 1));
    }

    [Fact]
    public async Task ReplyAfterItsRequestTimedOut_IsNeverHandedToTheNextRequest()
    {
        // Request 1 is answered only after it timed out and request 2 was sent; request 2 is answered right behind it.
        // Lateness is made, not hoped for: the server holds the reply until the test lets it go.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 1)
            {
                await release.Task;
            }

            await x.SendAsync(x.RegisterReply());
        });
        await using var client = Client();

        var first = ReadAsync(client, server, 1000, 2);
        await server.WaitForRequestAsync(1);
        _time.Advance(Deadline);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => first);
        var pending = ReadAsync(client, server, 2000, 2);
        release.SetResult();
        var second = await pending;

        Assert.Equal(new ushort[] { 2000, 2001 }, second);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(new ushort[] { (ushort)(3000 + i) }, await ReadAsync(client, server, (ushort)(3000 + i), 1));
        }

        Assert.Equal(1, client.LateReplies);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task StaleAndCurrentReplyInOneSegment_StaleIsDiscardedCurrentIsReturned()
    {
        byte[]? stale = null;
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 1)
            {
                stale = x.RegisterReply(_ => 0xBAD);
                return; // no answer in time
            }

            await x.SendAsync([.. stale!, .. x.RegisterReply()]);
        });
        await using var client = Client(TimeSpan.FromMilliseconds(300));

        await TimeOutFirstRequestAsync(client, server, TimeSpan.FromMilliseconds(300));

        Assert.Equal(new ushort[] { 50, 51 }, await ReadAsync(client, server, 50, 2));
        Assert.Equal(1, client.LateReplies);
    }

    [Fact]
    public async Task TrailingGarbageAfterAReply_ReplyIsUsed_AndTheNextRequestSucceedsOnAFreshConnection()
    {
        await using var server = new ScriptedModbusServer(x => x.SendAsync(x.RequestNumber == 1 ? [.. x.RegisterReply(), 0x13, 0x37, 0x42] : x.RegisterReply()));
        await using var client = Client();

        Assert.Equal(new ushort[] { 1, 2 }, await ReadAsync(client, server, 1, 2));

        Assert.Equal(new ushort[] { 8 }, await ReadAsync(client, server, 8, 1));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task LateReplyRightBehindTheCurrentReply_IsDiscardedAndTheConnectionKept()
    {
        byte[]? late = null;
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 1)
            {
                late = x.RegisterReply(_ => 0xBAD);
                return; // no answer in time
            }

            await x.SendAsync(x.RequestNumber == 2 ? [.. x.RegisterReply(), .. late!] : x.RegisterReply());
        });
        await using var client = Client(TimeSpan.FromMilliseconds(300));

        await TimeOutFirstRequestAsync(client, server, TimeSpan.FromMilliseconds(300));

        Assert.Equal(new ushort[] { 60, 61 }, await ReadAsync(client, server, 60, 2));
        Assert.Equal(new ushort[] { 70 }, await ReadAsync(client, server, 70, 1));
        Assert.Equal(1, client.LateReplies);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task RepliesSplitBetweenHeaderAndPdu_KeepTheConnection()
    {
        await using var server = new ScriptedModbusServer(async x =>
        {
            var reply = x.RegisterReply();
            await x.SendAsync(reply[..7]);
            await Task.Delay(2);
            await x.SendAsync(reply[7..]);
        });
        await using var client = Client();

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(new ushort[] { (ushort)i }, await ReadAsync(client, server, (ushort)i, 1));
        }

        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task TransactionIdOfNoRequest_IsAProtocolError()
    {
        await using var server = new ScriptedModbusServer(x => x.SendAsync(x.RegisterReply(transactionId: x.RequestNumber == 1 ? (ushort)(x.TransactionId + 100) : null)));
        await using var client = Client();

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadAsync(client, server, 1, 2));

        Assert.Contains("matches no request", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 4 }, await ReadAsync(client, server, 4, 1));
    }

    [Fact]
    public async Task WrongFunctionCode_IsAProtocolError()
    {
        await using var server = new ScriptedModbusServer(x =>
        {
            var reply = x.RegisterReply();
            if (x.RequestNumber == 1)
            {
                reply[7] = 0x04; // FC4 in reply to FC3
            }

            return x.SendAsync(reply);
        });
        await using var client = Client();

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadAsync(client, server, 1, 2));

        Assert.Contains("function 0x04 in reply to function 0x03", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 6 }, await ReadAsync(client, server, 6, 1));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(6, 6)]
    [InlineData(255, 4)]
    [InlineData(4, 6)]
    public async Task ByteCountNotMatchingTheQuantityOrTheFrame_IsAProtocolError_AndTheBufferPastNIsUntouched(int byteCount, int dataBytes)
    {
        await using var server = new ScriptedModbusServer(x =>
        {
            if (x.RequestNumber > 1)
            {
                return x.SendAsync(x.RegisterReply());
            }

            var pdu = new byte[2 + dataBytes];
            pdu[0] = 3;
            pdu[1] = (byte)byteCount;
            pdu.AsSpan(2).Fill(0x11);
            return x.SendAsync(ScriptedExchange.Frame(x.TransactionId, x.UnitId, pdu));
        });
        await using var client = Client();
        var buffer = new ushort[] { 0xAAAA, 0xAAAA, 0x5555, 0x5555 };

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() =>
            client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, buffer.AsMemory(0, 2)).AsTask().WaitAsync(Patience, Cancel));

        Assert.Contains("byte count", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 0x5555, 0x5555 }, buffer[2..]);
        Assert.Equal(new ushort[] { 3 }, await ReadAsync(client, server, 3, 1));
    }

    [Theory]
    [InlineData(0x01, false)]
    [InlineData(0x02, false)]
    [InlineData(0x03, false)]
    [InlineData(0x04, false)]
    [InlineData(0x05, true)]
    [InlineData(0x06, true)]
    [InlineData(0x08, false)]
    [InlineData(0x0A, false)]
    [InlineData(0x0B, false)]
    [InlineData(0x0C, false)]
    [InlineData(0xFF, false)]
    public async Task ExceptionReply_EveryCode_IsTypedAndOnlyBusyAndAcknowledgeAreRetried(int code, bool retried)
    {
        await using var server = new ScriptedModbusServer(x => x.SendAsync(ScriptedExchange.Frame(x.TransactionId, x.UnitId, 0x83, (byte)code)));
        await using var client = Client(retries: 2);

        var error = await Assert.ThrowsAsync<ModbusException>(() => ReadAsync(client, server, 1, 1));

        Assert.Equal((ModbusExceptionCode)code, error.Code);
        Assert.Equal(retried ? 3 : 1, server.Requests);
        Assert.Equal(code is 0x05 or 0x06 or 0x0A or 0x0B, error.IsTransient);
    }

    [Theory]
    [InlineData(new byte[] { 0x83, 0x02, 0x00 })] // an exception reply of 3 bytes
    [InlineData(new byte[] { 0x84, 0x02 })]       // the exception flag on another function
    [InlineData(new byte[] { 0x83 })]             // no code
    public async Task MalformedExceptionReply_IsAProtocolError(byte[] pdu)
    {
        await using var server = new ScriptedModbusServer(x => x.SendAsync(ScriptedExchange.Frame(x.TransactionId, x.UnitId, x.RequestNumber == 1 ? pdu : [0x03, 0x02, 0x00, 0x07])));
        await using var client = Client();

        await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadAsync(client, server, 1, 1));

        Assert.Equal(new ushort[] { 7 }, await ReadAsync(client, server, 7, 1));
    }

    [Fact]
    public async Task StalledServer_TimesOutAtTheDeadline_AndTheNextRequestSucceeds()
    {
        await using var server = new ScriptedModbusServer(x => x.RequestNumber == 1 ? Task.CompletedTask : x.SendAsync(x.RegisterReply()));
        await using var client = Client();

        var read = ReadAsync(client, server, 1, 1);
        await server.WaitForRequestAsync(1);
        _time.Advance(Deadline - TimeSpan.FromTicks(1));
        var pendingJustBefore = !read.IsCompleted;
        _time.Advance(TimeSpan.FromTicks(1));
        var error = await Assert.ThrowsAsync<ModbusTimeoutException>(() => read);

        Assert.True(pendingJustBefore, "timed out before the deadline");
        Assert.Contains("waiting for the reply", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 2 }, await ReadAsync(client, server, 2, 1));
    }

    [Fact]
    public async Task UnitIdMismatch_StrictFails_LenientAccepts()
    {
        await using var server = new ScriptedModbusServer(x =>
        {
            var reply = x.RegisterReply();
            reply[6] = 0xFF;
            return x.SendAsync(reply);
        });
        await using var strict = Client();
        await using var lenient = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 0, StrictUnitId = false }, _time);

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => strict.ReadHoldingRegistersAsync(server.Endpoint, 3, 1, new ushort[1]).AsTask().WaitAsync(Patience, Cancel));
        var values = new ushort[1];
        await lenient.ReadHoldingRegistersAsync(server.Endpoint, 3, 1, values).AsTask().WaitAsync(Patience, Cancel);

        Assert.Contains("unit id 255 in reply to unit id 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, values[0]);
    }

    [Fact]
    public async Task WriteEchoMismatch_IsOutcomeUnknown_AndNeverReplayed()
    {
        await using var server = new ScriptedModbusServer(x =>
        {
            var echo = x.EchoReply();
            BinaryPrimitives.WriteUInt16BigEndian(echo.AsSpan(8), 101); // address 101 instead of 100
            return x.SendAsync(echo);
        });
        await using var client = Client(retries: 3);

        var error = await Assert.ThrowsAsync<ModbusWriteOutcomeUnknownException>(() =>
            client.WriteMultipleRegistersAsync(server.Endpoint, 1, 100, new ushort[] { 1, 2 }).AsTask().WaitAsync(Patience, Cancel));

        Assert.IsType<ModbusProtocolException>(error.InnerException);
        Assert.Equal(((byte)0x10, (ushort)100), (error.FunctionCode, error.Address));
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task WriteTimingOutAfterTheSend_IsOutcomeUnknown_AndNeverReplayed()
    {
        await using var server = new ScriptedModbusServer(_ => Task.CompletedTask);
        await using var client = Client(TimeSpan.FromMilliseconds(200), retries: 3);

        var write = client.WriteSingleRegisterAsync(server.Endpoint, 1, 2008, 50).AsTask();
        await server.WaitForRequestAsync(1);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        var error = await Assert.ThrowsAsync<ModbusWriteOutcomeUnknownException>(() => write.WaitAsync(Patience, Cancel));

        Assert.IsType<ModbusTimeoutException>(error.InnerException);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task WriteAnsweredBusy_IsRetried_BecauseTheDeviceDidNotActOnIt()
    {
        await using var server = new ScriptedModbusServer(x => x.SendAsync(x.RequestNumber < 3
            ? ScriptedExchange.Frame(x.TransactionId, x.UnitId, 0x86, 0x06)
            : x.EchoReply()));
        await using var client = Client(retries: 3);

        await client.WriteSingleRegisterAsync(server.Endpoint, 1, 2008, 50).AsTask().WaitAsync(Patience, Cancel);

        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task WriteAnsweredAcknowledge_IsNotRetried()
    {
        await using var server = new ScriptedModbusServer(x => x.SendAsync(ScriptedExchange.Frame(x.TransactionId, x.UnitId, 0x86, 0x05)));
        await using var client = Client(retries: 3);

        var error = await Assert.ThrowsAsync<ModbusException>(() => client.WriteSingleRegisterAsync(server.Endpoint, 1, 2008, 50).AsTask().WaitAsync(Patience, Cancel));

        Assert.Equal(ModbusExceptionCode.Acknowledge, error.Code);
        Assert.Equal(1, server.Requests);
    }

    /// <summary>A client on the tests' fake clock; retries and reconnections follow at once (no backoff to wait out on that clock).</summary>
    private ModbusTcpTransport Client(TimeSpan? deadline = null, int retries = 0) =>
        new(new ModbusTcpOptions { RequestTimeout = deadline ?? Deadline, RetryCount = retries, RetryDelay = TimeSpan.Zero }, _time);

    /// <summary>Reads, waiting in real time only for a hang: on the fake clock nothing else can end the read.</summary>
    private static async Task<ushort[]> ReadAsync(ModbusTcpTransport client, ScriptedModbusServer server, ushort address, int count)
    {
        var values = new ushort[count];
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, address, values).AsTask().WaitAsync(Patience, Cancel);
        return values;
    }

    /// <summary>Sends request 1 and moves the clock past its deadline once the server has it.</summary>
    private async Task TimeOutFirstRequestAsync(ModbusTcpTransport client, ScriptedModbusServer server, TimeSpan deadline)
    {
        var read = ReadAsync(client, server, 1, 2);
        await server.WaitForRequestAsync(1);
        _time.Advance(deadline);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => read);
    }
}
