using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests;

/// <summary>Deadlines, cancellation, disposal, reconnection and pacing.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class DeadlineTests
{
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
        await using var server = new ScriptedModbusServer(_ => Task.CompletedTask);
        var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMinutes(5), RetryCount = 0 });
        var read = client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask();
        await server.WaitForRequestAsync(1);

        var elapsed = Stopwatch.StartNew();
        await client.DisposeAsync();
        elapsed.Stop();

        Assert.True(elapsed.Elapsed < TimeSpan.FromMilliseconds(100), $"took {elapsed.Elapsed}");
        await Assert.ThrowsAsync<ModbusTransportException>(() => read);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask());
    }

    [Fact]
    public async Task ConnectionRefused_IsATransportErrorAtOnce_AndTheNextAttemptWaitsItsBackoff()
    {
        var endpoint = ClosedPort();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 0, RetryDelay = TimeSpan.FromMilliseconds(400), RequestTimeout = TimeSpan.FromSeconds(5) });

        var first = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1]).AsTask());
        first.Stop();
        var second = Stopwatch.StartNew();
        await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1]).AsTask());
        second.Stop();

        Assert.Contains("could not connect", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
        Assert.True(first.Elapsed < TimeSpan.FromMilliseconds(400), $"refusal took {first.Elapsed}");
        Assert.True(second.Elapsed >= TimeSpan.FromMilliseconds(390), $"the second attempt came after {second.Elapsed}, inside the backoff");
    }

    [Fact]
    public async Task ConnectionRefused_ThenTheDeviceComesUp_TheNextRequestConnects()
    {
        var endpoint = ClosedPort();
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 0, RetryDelay = TimeSpan.FromMilliseconds(10) });
        await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(endpoint, 1, 0, new ushort[1]).AsTask());

        await using var server = new Server.ModbusTcpServer();
        server.AddUnit(1, Loopback.AddressEchoUnit());
        await server.StartAsync(new IPEndPoint(IPAddress.Parse(endpoint.Host), endpoint.Port));
        var values = new ushort[2];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 10, values);

        Assert.Equal(new ushort[] { 10, 11 }, values);
    }

    [Fact]
    public async Task TimeoutsInARow_HalfOpenConnection_IsReplacedByANewOne()
    {
        await using var server = new ScriptedModbusServer(x => x.ConnectionNumber == 1 ? Task.CompletedTask : x.SendAsync(x.RegisterReply()));
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions
        {
            RequestTimeout = TimeSpan.FromMilliseconds(100),
            RetryCount = 0,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            TimeoutsBeforeReconnect = 3,
        });

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask());
        }

        var values = new ushort[1];
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 42, values);

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
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RetryCount = 1, RetryDelay = TimeSpan.FromMilliseconds(10) });
        var values = new ushort[3];

        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 30, values);

        Assert.Equal(new ushort[] { 30, 31, 32 }, values);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task MinimumGapAndConnectDelay_PaceTheRequests()
    {
        var arrivals = new List<long>();
        await using var server = new ScriptedModbusServer(x =>
        {
            lock (arrivals)
            {
                arrivals.Add(Stopwatch.GetTimestamp());
            }

            return x.SendAsync(x.RegisterReply());
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions
        {
            MinimumRequestGap = TimeSpan.FromMilliseconds(150),
            ConnectDelay = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(5),
        });

        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < 3; i++)
        {
            await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]);
        }

        Assert.True(Stopwatch.GetElapsedTime(start, arrivals[0]) >= TimeSpan.FromMilliseconds(195), "the first request came before the connect delay");
        Assert.True(Stopwatch.GetElapsedTime(arrivals[0], arrivals[1]) >= TimeSpan.FromMilliseconds(145), "requests 1 and 2 came closer than the gap");
        Assert.True(Stopwatch.GetElapsedTime(arrivals[1], arrivals[2]) >= TimeSpan.FromMilliseconds(145), "requests 2 and 3 came closer than the gap");
    }

    [Fact]
    public async Task Metrics_CountTimeoutsLateRepliesExceptionsAndDurations()
    {
        await using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var timeouts = new MetricCollector<long>(factory, "Flux.Devices", "flux.devices.modbus.timeouts");
        using var late = new MetricCollector<long>(factory, "Flux.Devices", "flux.devices.modbus.late_replies");
        using var exceptions = new MetricCollector<long>(factory, "Flux.Devices", "flux.devices.modbus.exceptions");
        using var durations = new MetricCollector<double>(factory, "Flux.Devices", "flux.devices.modbus.request.duration");
        await using var server = new ScriptedModbusServer(async x =>
        {
            switch (x.RequestNumber)
            {
                case 1:
                    x.SendLater(x.RegisterReply(), TimeSpan.FromMilliseconds(300));
                    break;
                case 2:
                    await x.SendAsync(ScriptedExchange.Frame(x.TransactionId, x.UnitId, 0x83, 0x02));
                    break;
                default:
                    await x.SendAsync(x.RegisterReply());
                    break;
            }
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromMilliseconds(150), RetryCount = 0 }, meterFactory: factory);

        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask());
        await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]).AsTask());
        await ScriptedModbusServer.WaitAsync(() => client.LateReplies == 1);
        await client.ReadHoldingRegistersAsync(server.Endpoint, 1, 0, new ushort[1]);

        Assert.Equal(1, timeouts.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, late.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, exceptions.LastMeasurement!.Tags["modbus.exception_code"] is byte code ? code : -1);
        Assert.Equal(3, durations.GetMeasurementSnapshot().Count);
        Assert.Contains(durations.GetMeasurementSnapshot(), m => (string?)m.Tags["outcome"] == "ok");
    }

    private static ModbusEndpoint ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ModbusEndpoint.From((IPEndPoint)socket.LocalEndPoint!); // closed again when disposed: nothing listens
    }
}
