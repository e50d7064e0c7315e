using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests;

/// <summary>One client, many callers: every caller gets the reply to its own request, with and without faults.</summary>
public sealed class ConcurrencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task ThirtyTwoCallers_ThousandReadsEach_EveryResultMatchesItsRequest(int inFlight)
    {
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, Loopback.AddressEchoUnit());
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { MaxRequestsInFlight = inFlight, RequestTimeout = TimeSpan.FromSeconds(10) });

        var mismatches = await RunCallersAsync(client, server.Endpoint, callers: 32, readsEach: 1000);

        Assert.Equal(0, mismatches.Wrong);
        Assert.Equal(0, mismatches.Failed);
        Assert.Equal(32_000, mismatches.Right);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task ThirtyTwoCallers_WithStaleRepliesAndResets_NoResultIsEverAnotherRequests(int inFlight)
    {
        // Every 97th request is answered 250 ms late, after its request timed out and while later requests run on the
        // same connection. Every 151st request makes a reset due, done by the first request on a connection with no late
        // reply still to come (so that late replies do arrive); no new late reply is started while a reset is due.
        var lateToCome = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var resetsDue = 0;
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (x.RequestNumber % 151 == 0)
            {
                Interlocked.Increment(ref resetsDue);
            }

            if (Volatile.Read(ref resetsDue) > 0 && lateToCome.GetValueOrDefault(x.ConnectionNumber) == 0 && Interlocked.Decrement(ref resetsDue) >= 0)
            {
                x.Reset();
                return;
            }

            if (x.RequestNumber % 97 == 0 && Volatile.Read(ref resetsDue) <= 0)
            {
                lateToCome.AddOrUpdate(x.ConnectionNumber, 1, (_, n) => n + 1);
                var reply = x.RegisterReply();
                _ = Task.Run(async () =>
                {
                    await Task.Delay(250);
                    try
                    {
                        await x.SendAsync(reply);
                    }
                    catch (Exception ex) when (ex is ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException)
                    {
                    }

                    lateToCome.AddOrUpdate(x.ConnectionNumber, 0, (_, n) => n - 1);
                });
                return;
            }

            await x.SendAsync(x.RegisterReply());
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions
        {
            MaxRequestsInFlight = inFlight,
            RequestTimeout = TimeSpan.FromMilliseconds(150),
            RetryCount = 3,
            RetryDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryDelay = TimeSpan.FromMilliseconds(20),
            TimeoutsBeforeReconnect = 100,
        });

        var results = await RunCallersAsync(client, server.Endpoint, callers: 32, readsEach: 100);

        Assert.Equal(0, results.Wrong);
        Assert.True(results.Right >= 3000, $"{results.Right} right, {results.Failed} failed with typed errors");
        Assert.True(server.Connections > 1, "no reset happened");
        Assert.True(client.LateReplies > 0, "no late reply arrived");
    }

    private static async Task<(int Right, int Wrong, int Failed)> RunCallersAsync(ModbusTcpTransport client, ModbusEndpoint endpoint, int callers, int readsEach)
    {
        int right = 0, wrong = 0, failed = 0;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            var buffer = new ushort[125];
            for (var i = 0; i < readsEach; i++)
            {
                var count = random.Next(1, 11);
                var address = (ushort)random.Next(0, 65536 - count);
                var values = buffer.AsMemory(0, count);
                try
                {
                    await client.ReadHoldingRegistersAsync(endpoint, 1, address, values);
                }
                catch (Exception ex) when (ex is ModbusTimeoutException or ModbusTransportException or ModbusProtocolException)
                {
                    Interlocked.Increment(ref failed);
                    continue;
                }

                var ok = true;
                for (var r = 0; r < count; r++)
                {
                    ok &= buffer[r] == (ushort)(address + r);
                }

                Interlocked.Increment(ref ok ? ref right : ref wrong);
            }
        })));
        return (right, wrong, failed);
    }
}
