using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Flux.Devices.Diagnostics;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests;

/// <summary>Deadlines, cancellation, disposal, reconnection and pacing.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class DeadlineTests
{
    /// <summary>How long a test waits in real time for something that takes milliseconds: only a hang exhausts it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deadline_OnTheClientsClock_FailsExactlyWhenItPasses()
    {
        var time = new FakeTimeProvider();
        await using var server = new ScriptedModbusServer(_ => Task.CompletedTask); // never answers
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(2), RetryCount = 0 }, time);

        var read = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask();
        await server.WaitForRequestAsync(1);
        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        var pendingJustBefore = !read.IsCompleted;
        time.Advance(TimeSpan.FromTicks(1));

        Assert.True(pendingJustBefore);
        var error = await Assert.ThrowsAsync<ModbusTimeoutException>(() => read);
        Assert.Equal(TimeSpan.FromSeconds(2), error.Timeout);
    }

    [Fact]
    public async Task Deadline_OfARequestAfterAnAnsweredOne_IsItsOwnNotThePreviousOnes()
    {
        // The deadline timer is not moved for every request: it stays set for the first request's deadline, fires
        // there in the middle of the second request, and must then wait for the rest of the second one's deadline.
        var time = new FakeTimeProvider();
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 1)
            {
                await x.SendAsync(x.RegisterReply());
            }
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(2), RetryCount = 0 }, time);
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask().WaitAsync(Patience, Cancel);
        time.Advance(TimeSpan.FromSeconds(1.5));

        var read = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask();
        await server.WaitForRequestAsync(2);
        time.Advance(TimeSpan.FromSeconds(1)); // past the first request's deadline
        var pendingAfterFirstDeadline = !read.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        var pendingJustBefore = !read.IsCompleted;
        time.Advance(TimeSpan.FromTicks(1));

        Assert.True(pendingAfterFirstDeadline, "the second request failed at the first one's deadline");
        Assert.True(pendingJustBefore, "the second request failed before its own deadline");
        var error = await Assert.ThrowsAsync<ModbusTimeoutException>(() => read.WaitAsync(Patience, Cancel));
        Assert.Equal(TimeSpan.FromSeconds(2), error.Timeout);
    }

    [Fact]
    public async Task CallerCancellation_WithoutAnyDeadline_SurfacesAsOperationCanceled()
    {
        await using var server = new ScriptedModbusServer(_ => Task.CompletedTask);
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMinutes(5), RetryCount = 2 });
        using var cancel = new CancellationTokenSource();

        var read = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1], cancel.Token).AsTask();
        await server.WaitForRequestAsync(1);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.Equal(1, server.Requests); // a cancellation is not retried
    }

    [Fact]
    public async Task DisposeAsync_WhileAReadIsPending_ReturnsAtOnceAndFailsTheRead()
    {
        // The client's clock never moves: disposal that waited for the pending read (its deadline) would never end.
        var time = new FakeTimeProvider();
        await using var server = new ScriptedModbusServer(_ => Task.CompletedTask);
        var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMinutes(5), RetryCount = 0 }, time);
        var read = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask();
        await server.WaitForRequestAsync(1);

        await client.DisposeAsync().AsTask().WaitAsync(Patience, Cancel);

        await Assert.ThrowsAsync<ModbusTransportException>(() => read.WaitAsync(Patience, Cancel));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask());
    }

    [Fact]
    public async Task ConnectionRefused_IsATransportErrorAtOnce_AndTheNextAttemptWaitsItsBackoff()
    {
        // On the client's own clock: the refusal comes with the clock standing still, and the next attempt sleeps its
        // whole backoff on that clock (a stopwatch would also count how late a busy machine ran the test).
        var backoff = TimeSpan.FromMilliseconds(400);
        var time = new WatchedClock();
        var endpoint = Loopback.ClosedPort();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 0, RetryDelay = backoff, RequestTimeout = TimeSpan.FromSeconds(5) }, time);

        // At once: the clock stands still, so a refusal that waited on it would never come.
        var error = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1]).AsTask().WaitAsync(Patience, Cancel));
        var second = client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1]).AsTask();
        var wait = await time.NextTimerAsync(d => d > TimeSpan.Zero && d <= backoff);
        time.Advance(wait - TimeSpan.FromTicks(1));
        var pendingJustBefore = !second.IsCompleted;
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Contains("could not connect", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
        Assert.Equal(backoff, wait);
        Assert.True(pendingJustBefore, "the second attempt came inside the backoff");
        await Assert.ThrowsAsync<ModbusTransportException>(() => second.WaitAsync(Patience, Cancel));
    }

    [Fact]
    public async Task ConnectionRefused_ThenTheDeviceComesUp_TheNextRequestConnects()
    {
        var endpoint = Loopback.ClosedPort();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 0, RetryDelay = TimeSpan.FromMilliseconds(10), RequestTimeout = TimeSpan.FromSeconds(30) });
        await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1]).AsTask());

        await using var server = new Server.ModbusTcpServer();
        server.AddUnit(1, Loopback.AddressEchoUnit());
        await server.StartAsync(new IPEndPoint(IPAddress.Parse(endpoint.Host), endpoint.Port));
        var values = new ushort[2];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 10, values);

        Assert.Equal(new ushort[] { 10, 11 }, values);
    }

    [Fact]
    public async Task TimeoutsInARow_PipelinedOnAHalfOpenConnection_ReplaceItWithANewOne()
    {
        // Three reads in flight at once on a connection that never answers time out together, on the client's clock;
        // the third in a row closes it, so the next read goes out on a new connection without the clock moving. (A
        // read sent after a timeout is a probe of its own: FaultRecoveryTests covers that case.)
        var time = new FakeTimeProvider();
        await using var server = new ScriptedModbusServer(x => x.ConnectionNumber == 1 ? Task.CompletedTask : x.SendAsync(x.RegisterReply()));
        await using var client = new ModbusTcpTransport(
            new ModbusTcpOptions
            {
                RequestTimeout = TimeSpan.FromMilliseconds(100),
                RetryCount = 0,
                RetryDelay = TimeSpan.Zero,
                MaxRequestsInFlight = 3,
                TimeoutsBeforeReconnect = 3,
            },
            time);

        var reads = Enumerable.Range(0, 3).Select(_ => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask()).ToList();
        await server.WaitForRequestAsync(3);
        time.Advance(TimeSpan.FromMilliseconds(100));
        foreach (var read in reads)
        {
            await Assert.ThrowsAsync<ModbusTimeoutException>(() => read.WaitAsync(Patience, Cancel));
        }

        var values = new ushort[1];
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 42, values).AsTask().WaitAsync(Patience, Cancel);

        Assert.Equal(42, values[0]);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task ConnectionResetByTheDevice_ReadIsRetriedOnANewConnection()
    {
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber == 1)
            {
                x.Reset();
                return;
            }

            await x.SendAsync(x.RegisterReply());
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 1, RetryDelay = TimeSpan.FromMilliseconds(10), RequestTimeout = TimeSpan.FromSeconds(30) });
        var values = new ushort[3];

        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 30, values);

        Assert.Equal(new ushort[] { 30, 31, 32 }, values);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task MinimumGapAndConnectDelay_PaceTheRequests()
    {
        // Measured where the client decides: on the client's own clock, from its own log of when it connected and when
        // it sent each frame. (Times at which a server notices requests also hold its wake-up delays: one late wake-up
        // shrinks the next gap.) The clock moves only while the client sleeps on it, to the tick it asked for.
        var gap = TimeSpan.FromMilliseconds(150);
        var connectDelay = TimeSpan.FromMilliseconds(200);
        var time = new WatchedClock();
        var log = FakeLogCollector.Create(new FakeLogCollectorOptions { TimeProvider = time });
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(log)));
        await using var server = new ScriptedModbusServer(x => x.SendAsync(x.RegisterReply()));
        await using var client = new ModbusTcpTransport(
            new ModbusTcpOptions
            {
                MinimumRequestGap = gap,
                ConnectDelay = connectDelay,
                RequestTimeout = TimeSpan.FromSeconds(5),
                ConnectTimeout = TimeSpan.FromSeconds(5),
            },
            time,
            loggers);

        var heldBack = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            var read = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask();
            var wait = await time.NextTimerAsync(d => d > TimeSpan.Zero && d <= connectDelay); // the client sleeps until it may send
            time.Advance(wait - TimeSpan.FromTicks(1));
            heldBack.Add(Sends(log).Count == i); // nothing went out a tick early
            time.Advance(TimeSpan.FromTicks(1));
            await read.WaitAsync(Patience, Cancel);
        }

        var connected = Assert.Single(log.GetSnapshot(), r => r.Id.Id == 6000).Timestamp; // "Connected to ..."
        Assert.Equal([true, true, true], heldBack);
        Assert.Equal([connected + connectDelay, connected + connectDelay + gap, connected + connectDelay + gap + gap], Sends(log));
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task Metrics_CountTimeoutsLateRepliesExceptionsAndDurations()
    {
        // The timeout is made on the client's clock, and the late reply goes out only after it: no race between a
        // server's delay and the client's deadline, and no other request can time out on a slow machine.
        await using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var timeouts = new MetricCollector<long>(factory, FluxDevicesDiagnostics.MeterName, "flux.devices.modbus.timeouts");
        using var late = new MetricCollector<long>(factory, FluxDevicesDiagnostics.MeterName, "flux.devices.modbus.late_replies");
        using var exceptions = new MetricCollector<long>(factory, FluxDevicesDiagnostics.MeterName, "flux.devices.modbus.exceptions");
        using var durations = new MetricCollector<double>(factory, FluxDevicesDiagnostics.MeterName, "flux.devices.modbus.request.duration");
        var time = new FakeTimeProvider();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedModbusServer(async x =>
        {
            switch (x.RequestNumber)
            {
                case 1:
                    var reply = x.RegisterReply();
                    _ = release.Task.ContinueWith(_ => x.SendAsync(reply), TaskScheduler.Default).Unwrap();
                    break;
                case 2:
                    await x.SendAsync(ScriptedExchange.Frame(x.TransactionId, x.UnitId, 0x83, 0x02));
                    break;
                default:
                    await x.SendAsync(x.RegisterReply());
                    break;
            }
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMilliseconds(150), RetryCount = 0 }, time, meterFactory: factory);

        var first = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask();
        await server.WaitForRequestAsync(1);
        time.Advance(TimeSpan.FromMilliseconds(150));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => first.WaitAsync(Patience, Cancel));
        await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask().WaitAsync(Patience, Cancel));
        release.SetResult(); // the reply to the first request, long after its deadline
        await ScriptedModbusServer.WaitAsync(() => client.LateReplies == 1);
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask().WaitAsync(Patience, Cancel);

        Assert.Equal(1, timeouts.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, late.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, exceptions.LastMeasurement!.Tags["modbus.exception_code"] is byte code ? code : -1);
        Assert.Equal(3, durations.GetMeasurementSnapshot().Count);
        Assert.Contains(durations.GetMeasurementSnapshot(), m => (string?)m.Tags["outcome"] == "ok");
    }

    /// <summary>When the client sent each frame, on its own clock: its trace of outgoing frames.</summary>
    private static List<DateTimeOffset> Sends(FakeLogCollector log) =>
        [.. log.GetSnapshot().Where(r => r.Category == FluxDevicesDiagnostics.ModbusCategory && r.Id.Id == 6006 && r.Message.StartsWith("->", StringComparison.Ordinal)).Select(r => r.Timestamp)];
}
