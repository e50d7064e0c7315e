using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests;

/// <summary>
/// Plain TCP connections with a receive thread of their own (<see cref="ModbusTcpOptions.MaxReceiveThreads"/>): the
/// risks of blocking calls. Every other test of the client runs on this path too, as it is the default.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class ReceiveThreadTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Options for tests whose subject is not a deadline: on a busy machine a request may take longer than the
    /// default second, and a timeout or a retry would change the path under test (a retry waits on another thread).
    /// </summary>
    private static ModbusTcpOptions Patient(Action<ModbusTcpOptions>? change = null)
    {
        var options = new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(30), RetryCount = 0 };
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Dispose_WhileTheThreadIsBlockedInReceive_FailsTheRequestAndEndsTheThreadPromptly()
    {
        await using var server = new ScriptedModbusServer(_ => Task.CompletedTask); // reads, never answers
        var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMinutes(5), RetryCount = 0 });
        var pending = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[2]).AsTask();
        await server.WaitForRequestAsync(1);
        Assert.Equal(1, client.ReceiveThreadsInUse);

        await client.DisposeAsync();

        var error = await Assert.ThrowsAsync<ModbusTransportException>(() => pending.WaitAsync(Generous));
        Assert.Contains("disposed", error.Message, StringComparison.Ordinal);
        await ScriptedModbusServer.WaitAsync(() => client.ReceiveThreadsInUse == 0);
    }

    [Fact]
    public async Task Connect_ToAListenerThatNeverAccepts_TimesOutAtTheConnectTimeoutAndEndsTheThread()
    {
        // A listener with a backlog of 0 that never accepts: once its accept queue is full, the kernel drops every
        // further SYN, so a blocking connect would wait for the SYN retries (about two minutes).
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endpoint = ModbusEndpoint.From((IPEndPoint)listener.LocalEndPoint!);
        var fillers = new List<Socket>();
        try
        {
            while (true)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await filler.ConnectAsync(listener.LocalEndPoint!, wait.Token);
                }
                catch (OperationCanceledException)
                {
                    break; // the queue is full: this SYN was dropped
                }

                Assert.True(fillers.Count < 16, "the listener's accept queue never filled");
            }

            var options = new ModbusTcpOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300), RequestTimeout = TimeSpan.FromMinutes(1), RetryCount = 0 };
            await using var client = new ModbusTcpTransport(options);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();

            var error = await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[2]).AsTask().WaitAsync(Generous));

            Assert.Equal(options.ConnectTimeout, error.Timeout);
            Assert.StartsWith("connecting", error.Stage, StringComparison.Ordinal);
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < Generous);
            await ScriptedModbusServer.WaitAsync(() => client.ReceiveThreadsInUse == 0); // the blocking connect was aborted
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task Connect_Refused_FailsAsTransportAndEndsTheThread()
    {
        await using var client = new ModbusTcpTransport(Patient());

        var error = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(Loopback.ClosedPort(), 1, 0, new ushort[2]).AsTask());

        Assert.Contains("could not connect", error.Message, StringComparison.Ordinal);
        await ScriptedModbusServer.WaitAsync(() => client.ReceiveThreadsInUse == 0);
    }

    [Fact]
    public async Task Bound_ConnectionsBeyondMaxReceiveThreads_UseTheAsyncEngineAndWorkAlike()
    {
        await using var first = await Loopback.StartServerAsync();
        first.AddUnit(1, Loopback.AddressEchoUnit());
        await using var second = await Loopback.StartServerAsync();
        second.AddUnit(1, Loopback.AddressEchoUnit());
        await using var third = await Loopback.StartServerAsync();
        third.AddUnit(1, Loopback.AddressEchoUnit());
        await using var client = new ModbusTcpTransport(Patient(o => o.MaxReceiveThreads = 1));
        var buffer = new ushort[3];

        foreach (var (server, address) in new[] { (first, (ushort)10), (second, (ushort)20), (third, (ushort)30) })
        {
            for (var i = 0; i < 50; i++)
            {
                await client.ReadHoldingRegistersAsync(server.Endpoint, 1, (ushort)(address + i), buffer);
                Assert.Equal(new[] { (ushort)(address + i), (ushort)(address + i + 1), (ushort)(address + i + 2) }, buffer);
            }
        }

        Assert.Equal(1, client.ReceiveThreadsInUse);
        Assert.False(IsNonBlocking(client.SocketOf(first.Endpoint)!)); // the first connection took the only thread
        Assert.True(IsNonBlocking(client.SocketOf(second.Endpoint)!));
        Assert.True(IsNonBlocking(client.SocketOf(third.Endpoint)!));
    }

    [Fact]
    public async Task Bound_Zero_EveryConnectionUsesTheAsyncEngine()
    {
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, Loopback.AddressEchoUnit());
        await using var client = new ModbusTcpTransport(Patient(o => o.MaxReceiveThreads = 0));
        var buffer = new ushort[2];

        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 7, buffer);

        Assert.Equal(new ushort[] { 7, 8 }, buffer);
        Assert.Equal(0, client.ReceiveThreadsInUse);
        Assert.True(IsNonBlocking(client.SocketOf(server.Endpoint)!));
    }

    [Fact]
    public async Task Pipelining_UsesTheAsyncEngine()
    {
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, Loopback.AddressEchoUnit());
        await using var client = new ModbusTcpTransport(Patient(o => o.MaxRequestsInFlight = 4));
        var buffers = Enumerable.Range(0, 8).Select(_ => new ushort[1]).ToArray();

        await Task.WhenAll(buffers.Select((b, i) => client.ReadHoldingRegistersAsync(server.Endpoint, 1, (ushort)(40 + i), b).AsTask()));

        Assert.Equal(Enumerable.Range(40, 8).Select(i => (ushort)i), buffers.Select(b => b[0]));
        Assert.Equal(0, client.ReceiveThreadsInUse);
        Assert.True(IsNonBlocking(client.SocketOf(server.Endpoint)!));
    }

    [Fact]
    public async Task Bound_AThreadIsGivenBackWhenItsConnectionCloses_AndTheNextConnectionTakesIt()
    {
        var first = await Loopback.StartServerAsync();
        first.AddUnit(1, Loopback.AddressEchoUnit());
        await using var second = await Loopback.StartServerAsync();
        second.AddUnit(1, Loopback.AddressEchoUnit());
        var buffer = new ushort[1];
        await using var client = new ModbusTcpTransport(Patient(o => o.MaxReceiveThreads = 1));
        await client.ReadHoldingRegistersAsync(first.Endpoint, 1, 1, buffer);
        Assert.Equal(1, client.ReceiveThreadsInUse);

        await first.DisposeAsync(); // the device goes: the connection closes and its thread ends
        await ScriptedModbusServer.WaitAsync(() => client.ReceiveThreadsInUse == 0);
        await client.ReadHoldingRegistersAsync(second.Endpoint, 1, 2, buffer);

        Assert.Equal(2, buffer[0]);
        Assert.Equal(1, client.ReceiveThreadsInUse);
        Assert.False(IsNonBlocking(client.SocketOf(second.Endpoint)!));
    }

    [Fact]
    public async Task Bound_AConnectionReplacedForGarbage_ReconnectsOnTheSameThread_WhichEndsWhenTheDeviceGoes()
    {
        // Requests 2 and 4 are answered with bytes that are not a Modbus frame: the client replaces the connection.
        var server = new ScriptedModbusServer(x => x.SendAsync(x.RequestNumber is 2 or 4 ? [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x03, 0x01, 0x03, 0x00] : x.RegisterReply()));
        await using var client = new ModbusTcpTransport(Patient(o => o.MaxReceiveThreads = 1));
        var buffer = new ushort[1];
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 1, buffer);
        var thread = client.ReceiverOf(server.Endpoint);
        var socket = client.SocketOf(server.Endpoint);
        Assert.NotNull(thread);
        Assert.Equal(1, thread.Connects);

        await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 2, buffer).AsTask().WaitAsync(Generous));
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 3, buffer);

        Assert.Equal(3, buffer[0]);
        Assert.Equal(2, server.Connections);
        Assert.NotSame(socket, client.SocketOf(server.Endpoint));
        Assert.Same(thread, client.ReceiverOf(server.Endpoint)); // a new socket, the same thread: no new thread started
        Assert.Equal(2, thread.Connects);
        Assert.Equal(1, client.ReceiveThreadsInUse);
        Assert.False(IsNonBlocking(client.SocketOf(server.Endpoint)!));

        // Replaced again, then the device goes: the kept thread's connect is refused and the thread ends.
        await Assert.ThrowsAsync<ModbusProtocolException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 4, buffer).AsTask().WaitAsync(Generous));
        await server.DisposeAsync();
        await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 5, buffer).AsTask().WaitAsync(Generous));
        Assert.Equal(3, thread.Connects);
        await ScriptedModbusServer.WaitAsync(() => client.ReceiveThreadsInUse == 0);
    }

    [Fact]
    public async Task Socket_StaysInBlockingModeThroughRequestsTimeoutsAndLateReplies()
    {
        // No async call may ever touch the socket: on Linux .NET would switch it to non-blocking for good.
        var fourth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 2)
            {
                var reply = x.RegisterReply();
                _ = Task.Run(async () =>
                {
                    await fourth.Task; // request 2 is answered once request 3 has come: a late reply
                    await x.SendAsync(reply);
                });
                return;
            }

            if (x.RequestNumber == 3)
            {
                fourth.TrySetResult();
            }

            await x.SendAsync(x.RegisterReply());
        });

        // The clock only moves when told: request 2 times out when the test says so, and no other request can.
        var time = new FakeTimeProvider();
        var options = new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(1), RetryCount = 0 };
        await using var client = new ModbusTcpTransport(options, time);
        var buffer = new ushort[2];
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, buffer).AsTask().WaitAsync(Generous);
        var second = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 2, buffer).AsTask();
        await server.WaitForRequestAsync(2);
        time.Advance(options.RequestTimeout);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => second.WaitAsync(Generous));
        for (var i = 0; i < 20; i++)
        {
            await client.ReadHoldingRegistersAsync(server.Endpoint, 1, (ushort)i, buffer).AsTask().WaitAsync(Generous);
            Assert.Equal(i, buffer[0]);
        }

        Assert.False(IsNonBlocking(client.SocketOf(server.Endpoint)!));
    }

    [Fact]
    public async Task Continuation_RunsOnTheConnectionsThread_AndMayIssueTheNextRequests()
    {
        // A reply completes its caller inline on the receive thread only if the caller is already waiting for it: a
        // reply that wins the race with the caller's await (a caller preempted after its send, on a busy machine) is
        // simply there when the caller gets to it, and the caller goes on on its own thread. So the reply to request 2
        // is held back until the caller's continuation is registered (request 1 opens the connection, so that request 2
        // is sent and awaited within the call); from then on the receive thread sends each next request itself and is
        // the only one that can receive its reply, which cannot win that race.
        var secondReply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = -1;
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 2)
            {
                await secondReply.Task;
            }

            if (x.FunctionCode == 6)
            {
                Volatile.Write(ref written, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(x.Request.AsSpan(10)));
                await x.SendAsync(x.EchoReply());
                return;
            }

            await x.SendAsync(x.RegisterReply(a => a == 500 && Volatile.Read(ref written) >= 0 ? (ushort)Volatile.Read(ref written) : (ushort)a));
        });
        await using var other = await Loopback.StartServerAsync();
        other.AddUnit(1, Loopback.AddressEchoUnit());
        await using var client = new ModbusTcpTransport(Patient());

        // Off the test framework's synchronisation context, so that each await resumes where the reply completed it.
        await Task.Run(async () =>
        {
            var buffer = new ushort[2];
            await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, buffer);
            var second = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 1, buffer);
            Assert.False(second.IsCompleted); // its reply is held back
            var rest = ContinueAsync(second); // runs up to its await of that reply, which registers the continuation
            secondReply.SetResult();
            await rest.WaitAsync(Generous);
        });

        async Task ContinueAsync(ValueTask second)
        {
            await second;

            // The reply resumed this method inline, on the thread that received it.
            var thread = Thread.CurrentThread;
            Assert.StartsWith("Modbus ", thread.Name, StringComparison.Ordinal);
            var buffer = new ushort[2];
            for (var i = 0; i < 200; i++)
            {
                // The next request is sent from the receive thread, which then goes back to receiving its reply.
                await client.ReadHoldingRegistersAsync(server.Endpoint, 1, (ushort)i, buffer);
                Assert.Equal(new[] { (ushort)i, (ushort)(i + 1) }, buffer);
                Assert.Same(thread, Thread.CurrentThread);
            }

            await client.WriteSingleRegisterAsync(server.Endpoint, 1, 500, 4242);
            await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 500, buffer);
            Assert.Equal(4242, buffer[0]);
            Assert.Same(thread, Thread.CurrentThread);

            // Blocking on a request to another device is safe here: that device's replies arrive on another thread.
            var otherBuffer = new ushort[1];
#pragma warning disable xUnit1031 // Deliberate: shows that a blocking wait inside a continuation does not deadlock across devices.
            client.ReadHoldingRegistersAsync(other.Endpoint, 1, 77, otherBuffer).AsTask().GetAwaiter().GetResult();
#pragma warning restore xUnit1031
            Assert.Equal(77, otherBuffer[0]);
            Assert.Same(thread, Thread.CurrentThread);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4097)]
    public void Options_MaxReceiveThreadsOutOfRange_IsRefusedNamingTheOption(int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ModbusTcpTransport(new ModbusTcpOptions { MaxReceiveThreads = value }));

        Assert.Contains(nameof(ModbusTcpOptions.MaxReceiveThreads), error.Message, StringComparison.Ordinal);
    }

    private static bool IsNonBlocking(Socket socket)
    {
        const int nonBlock = 0x800; // O_NONBLOCK on Linux
        var flags = File.ReadLines($"/proc/self/fdinfo/{socket.Handle}").Single(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return (Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & nonBlock) != 0;
    }
}
