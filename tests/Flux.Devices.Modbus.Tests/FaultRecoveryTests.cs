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

/// <summary>
/// Faults that must cost only the request they belong to (issue 12, points 1-6): late replies after a reconnect, the
/// request after a timeout, bad replies in a pipeline, a misbehaving unit behind a gateway, polls during a reconnect
/// backoff, and how an outage is logged. Deadlines are on the client's own clock, moved only by the test.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class FaultRecoveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    /// <summary>How long a test waits in real time for something that takes milliseconds: only a hang exhausts it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>How many reads the gateway tests make (16 callers, one in 20 to a misbehaving unit).</summary>
    private const int GatewayRequests = 1600;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LateReply_OnAReopenedConnection_IsDiscarded_AndTheWaitingRequestGetsItsOwnReply()
    {
        // Connection 1: request 1 times out (its id is remembered), request 2's reply is followed by garbage, so the
        // connection is replaced. Connection 2: request 3 times out; its reply comes late, in one segment with request 4's.
        byte[]? late = null;
        await using var server = new ScriptedModbusServer(async x =>
        {
            switch (x.RequestNumber)
            {
                case 1:
                    return;
                case 2:
                    await x.SendAsync([.. x.RegisterReply(), 0x13, 0x37, 0x42]);
                    return;
                case 3:
                    late = x.RegisterReply(_ => 0xBAD);
                    return;
                default:
                    await x.SendAsync([.. late ?? [], .. x.RegisterReply()]);
                    late = null;
                    return;
            }
        });
        var time = new FakeTimeProvider();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Deadline, RetryCount = 0 }, time);

        await TimeOutAsync(client, server, time, 1);
        Assert.Equal(new ushort[] { 20 }, await ReadAsync(client, server.Endpoint, 1, 20, 1));
        await TimeOutAsync(client, server, time, 3);
        var values = await ReadAsync(client, server.Endpoint, 1, 40, 2);

        Assert.Equal(new ushort[] { 40, 41 }, values);
        Assert.Equal(1, client.LateReplies);
        Assert.Equal(2, server.Connections);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AfterATimeout_TheNextRequestToAnyUnit_IsAnsweredWithinItsOwnDeadline(bool answersLate)
    {
        // Connection 1 takes request 1 and then stops reading (a stalled device), or answers it only long after its
        // deadline (a device stuck for a while). Either way the next request, to another unit, must not wait for it.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.ConnectionNumber == 1)
            {
                await release.Task.WaitAsync(Cancel);
                if (!answersLate)
                {
                    await Task.Delay(Timeout.Infinite, Cancel);
                }
            }

            await x.SendAsync(x.RegisterReply());
        });
        var time = new WatchedClock();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Deadline, RetryCount = 0 }, time);

        await TimeOutAsync(client, server, time, 1);
        var next = ReadAsync(client, server.Endpoint, 7, 300, 2);
        var wait = await time.NextTimerAsync(d => d > TimeSpan.Zero && d < Deadline); // the client gives the old connection part of the deadline
        time.Advance(wait);
        var values = await next;
        release.SetResult();

        Assert.Equal(new ushort[] { 300, 301 }, values);
        Assert.Equal(2, server.Connections);
        Assert.Equal(0, client.LateReplies);
    }

    [Fact]
    public async Task Pipelined_WellFramedReplyForTheWrongUnit_FailsOnlyItsOwnRequest()
    {
        var held = new List<ScriptedExchange>();
        await using var server = new ScriptedModbusServer(async x =>
        {
            held.Add(x);
            if (held.Count == 3)
            {
                // The bad reply first, so that both other requests are waiting when it arrives.
                var bad = held.Single(h => h.UnitId == 4).RegisterReply();
                bad[6] = 5;
                await x.SendAsync([.. bad, .. held.Where(h => h.UnitId != 4).SelectMany(h => h.RegisterReply())]);
            }
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Patience, RetryCount = 0, MaxRequestsInFlight = 4 });

        var bystander1 = ReadAsync(client, server.Endpoint, 1, 100, 2);
        var culprit = ReadAsync(client, server.Endpoint, 4, 400, 2);
        var bystander2 = ReadAsync(client, server.Endpoint, 2, 200, 2);

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => culprit);
        Assert.Contains("unit id 5 in reply to unit id 4", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 100, 101 }, await bystander1);
        Assert.Equal(new ushort[] { 200, 201 }, await bystander2);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Pipelined_FramingLost_BystanderReadsAreRetriedOnANewConnection_WritesAreOutcomeUnknown()
    {
        var held = new List<ScriptedExchange>();
        var writes = 0;
        await using var server = new ScriptedModbusServer(async x =>
        {
            writes += x.FunctionCode == 0x06 ? 1 : 0;
            if (x.ConnectionNumber > 1)
            {
                await x.SendAsync(x.FunctionCode == 0x06 ? x.EchoReply() : x.RegisterReply());
                return;
            }

            held.Add(x);
            if (held.Count == 4)
            {
                var bad = held.Single(h => h.UnitId == 4).RegisterReply();
                bad[2] = 1; // protocol id 0x01xx: the frame boundaries can no longer be trusted
                await x.SendAsync(bad);
            }
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Patience, RetryCount = 0, MaxRequestsInFlight = 4 });

        // The device answers in order, so the bytes it cannot frame are its reply to the oldest request: unit 4's.
        var culprit = ReadAsync(client, server.Endpoint, 4, 400, 2);
        await server.WaitForRequestAsync(1);
        var read1 = ReadAsync(client, server.Endpoint, 1, 100, 2);
        var read2 = ReadAsync(client, server.Endpoint, 2, 200, 2);
        var write = client.WriteSingleRegisterAsync(server.Endpoint, 3, 300, 9).AsTask().WaitAsync(Patience, Cancel);

        var culpritError = await Assert.ThrowsAsync<ModbusProtocolException>(() => culprit);
        var writeError = await Assert.ThrowsAsync<ModbusWriteOutcomeUnknownException>(() => write);
        Assert.Contains("protocol id", culpritError.Message, StringComparison.Ordinal);
        Assert.Contains("another request's reply", writeError.InnerException!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("protocol id", writeError.InnerException.Message, StringComparison.Ordinal);
        Assert.Equal(new ushort[] { 100, 101 }, await read1);
        Assert.Equal(new ushort[] { 200, 201 }, await read2);
        Assert.Equal(2, server.Connections);
        Assert.Equal(1, Volatile.Read(ref writes)); // the write was not replayed
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task Gateway_WithOneRequestInTwentyToAUnitSendingBadFrames_TheHealthyUnitLosesNothing(int inFlight)
    {
        // Unit 1 is healthy; units 2 and 3 answer with the wrong unit id or with a byte count that does not match.
        await using var server = new ScriptedModbusServer(x =>
        {
            var reply = x.RegisterReply();
            switch (x.UnitId)
            {
                case 2:
                    reply[6] = 9;
                    break;
                case 3:
                    reply[8]++;
                    break;
            }

            return x.SendAsync(reply);
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Patience, RetryCount = 0, MaxRequestsInFlight = inFlight });

        var (mismatched, healthyFailures, badRejected) = await SixteenCallersAsync(client, server.Endpoint);

        Assert.Equal((0, 0, GatewayRequests / 20), (mismatched, healthyFailures, badRejected));
        Assert.Equal(1, server.Connections); // a well-framed bad reply costs no reconnection
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task Gateway_WithOneRequestInTwentyToAUnitSendingGarbage_TheHealthyUnitLosesNothing(int inFlight)
    {
        // Our own server: unit 1 is healthy, units 2 and 3 answer with bytes that are not a Modbus frame, which costs the
        // connection; the healthy requests in flight beside them are sent again on the next one.
        await using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var connections = new MetricCollector<long>(factory, FluxDevicesDiagnostics.MeterName, "flux.devices.modbus.connections");
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, Loopback.AddressEchoUnit());
        foreach (byte unit in new[] { 2, 3 })
        {
            var bad = Loopback.AddressEchoUnit();
            bad.Faults.Garbage = true;
            server.AddUnit(unit, bad);
        }

        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Patience, RetryCount = 0, MaxRequestsInFlight = inFlight }, meterFactory: factory);

        var (mismatched, healthyFailures, badRejected) = await SixteenCallersAsync(client, server.Endpoint);

        Assert.Equal((0, 0, GatewayRequests / 20), (mismatched, healthyFailures, badRejected));
        Assert.InRange(connections.GetMeasurementSnapshot().EvaluateAsCounter(), 1, 1 + (GatewayRequests / 20)); // at most one per garbage reply
    }

    [Fact]
    public async Task OurServer_UnitAnsweringWithTheWrongUnitId_FailsOnlyThatUnitsRequests_OnOneConnection()
    {
        await using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var connections = new MetricCollector<long>(factory, FluxDevicesDiagnostics.MeterName, "flux.devices.modbus.connections");
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, Loopback.AddressEchoUnit());
        var confused = Loopback.AddressEchoUnit();
        confused.Faults.WrongUnitId = true;
        server.AddUnit(2, confused);
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Patience, RetryCount = 0 }, meterFactory: factory);

        var error = await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadAsync(client, server.Endpoint, 2, 10, 1));
        Assert.Equal(new ushort[] { 11 }, await ReadAsync(client, server.Endpoint, 1, 11, 1));
        await Assert.ThrowsAsync<ModbusProtocolException>(() => ReadAsync(client, server.Endpoint, 2, 12, 1));
        Assert.Equal(new ushort[] { 13 }, await ReadAsync(client, server.Endpoint, 1, 13, 1));

        Assert.Contains("unit id 3 in reply to unit id 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, connections.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task PollDuringReconnectBackoff_ReportsTheRefusal_NotATimeout()
    {
        await using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var timeouts = new MetricCollector<long>(factory, FluxDevicesDiagnostics.MeterName, "flux.devices.modbus.timeouts");
        var backoff = TimeSpan.FromSeconds(5); // longer than a request's deadline
        var time = new WatchedClock();
        var endpoint = Loopback.ClosedPort();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = Deadline, RetryCount = 0, RetryDelay = backoff }, time, meterFactory: factory);
        await Assert.ThrowsAsync<ModbusTransportException>(() => ReadAsync(client, endpoint, 1, 0, 1));

        var poll = ReadAsync(client, endpoint, 1, 0, 1);
        var sleeping = time.NextTimerAsync(d => d == backoff);
        if (await Task.WhenAny(poll, sleeping) == sleeping)
        {
            time.Advance(Deadline); // the client sleeps out its backoff inside the poll's deadline
        }

        var error = await Assert.ThrowsAsync<ModbusTransportException>(() => poll);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.Contains("refused", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, timeouts.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Theory]
    [InlineData(ModbusFraming.Tcp)]
    [InlineData(ModbusFraming.RtuOverTcp)]
    public async Task Outage_IsLoggedOnceWhenItStartsAndOnceWhenItEnds_AttemptsAtDebugWithoutStacks(ModbusFraming framing)
    {
        var time = new FakeTimeProvider();
        var log = FakeLogCollector.Create(new FakeLogCollectorOptions { TimeProvider = time });
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(log)));
        var endpoint = Loopback.ClosedPort() with { Framing = framing };
        await using var client = new ModbusTcpTransport(
            new ModbusTcpOptions { RequestTimeout = Patience, RetryCount = 0, RetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero, RtuSilentInterval = TimeSpan.Zero },
            time,
            loggers);

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<ModbusTransportException>(() => ReadAsync(client, endpoint, 1, 0, 1));
            time.Advance(TimeSpan.FromSeconds(3));
        }

        await using var server = new Server.ModbusTcpServer(new Server.ModbusTcpServerOptions { Framing = framing });
        server.AddUnit(1, Loopback.AddressEchoUnit());
        await server.StartAsync(new IPEndPoint(IPAddress.Parse(endpoint.Host), endpoint.Port));
        Assert.Equal(new ushort[] { 5 }, await ReadAsync(client, endpoint, 1, 5, 1));
        Assert.Equal(new ushort[] { 6 }, await ReadAsync(client, endpoint, 1, 6, 1));

        var records = log.GetSnapshot();
        var warning = Assert.Single(records, r => r.Level >= LogLevel.Warning);
        var restored = Assert.Single(records, r => r.Level == LogLevel.Information);
        var attempts = records.Where(r => r.Level == LogLevel.Debug && r.Message.Contains("connect", StringComparison.OrdinalIgnoreCase) && r.Message.Contains("attempt", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Contains(endpoint.ToString(), warning.Message, StringComparison.Ordinal);
        Assert.Contains("refused", warning.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(TimeSpan.FromSeconds(15).ToString(), restored.Message, StringComparison.Ordinal);
        Assert.Equal(5, attempts.Count);
        Assert.All(records, r => Assert.Null(r.Exception));
    }

    /// <summary>
    /// 16 callers, 100 reads each, through one client; every 20th read (counted over all callers) goes to unit 2 or 3, the rest to unit 1, whose
    /// registers hold their address. Returns the healthy replies that did not match, the healthy reads that failed, and
    /// the bad units' reads that failed.
    /// </summary>
    private static async Task<(int Mismatched, int HealthyFailures, int BadRejected)> SixteenCallersAsync(ModbusTcpTransport client, ModbusEndpoint endpoint)
    {
        const int callers = 16;
        var mismatched = 0;
        var healthyFailures = 0;
        var badRejected = 0;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(
            async () =>
            {
                var values = new ushort[3];
                for (var i = 0; i < GatewayRequests / callers; i++)
                {
                    var n = (i * callers) + c; // the callers' bad reads spread over time, not all at once
                    var address = (ushort)((n * 7) % 60000);
                    var unit = n % 20 == 0 ? (byte)(2 + (n / 20 % 2)) : (byte)1;
                    try
                    {
                        await client.ReadHoldingRegistersAsync(endpoint, unit, address, values, Cancel);
                        if (unit != 1 || values[0] != address || values[2] != (ushort)(address + 2))
                        {
                            Interlocked.Increment(ref mismatched);
                        }
                    }
                    catch (FluxDevicesException)
                    {
                        Interlocked.Increment(ref unit == 1 ? ref healthyFailures : ref badRejected);
                    }
                }
            },
            Cancel)));
        return (mismatched, healthyFailures, badRejected);
    }

    private static async Task TimeOutAsync(ModbusTcpTransport client, ScriptedModbusServer server, FakeTimeProvider time, int requestNumber)
    {
        var read = ReadAsync(client, server.Endpoint, 1, 0, 1);
        await server.WaitForRequestAsync(requestNumber);
        time.Advance(Deadline);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => read);
    }

    private static async Task<ushort[]> ReadAsync(ModbusTcpTransport client, ModbusEndpoint endpoint, byte unit, ushort address, int count)
    {
        var values = new ushort[count];
        await client.ReadHoldingRegistersAsync(endpoint, unit, address, values, Cancel).AsTask().WaitAsync(Patience, Cancel);
        return values;
    }
}
