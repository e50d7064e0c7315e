using System.Collections.Concurrent;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests;

/// <summary>One client, many callers: every caller gets the reply to its own request, with and without faults.</summary>
[Collection(nameof(TimingSensitive))]
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
        // Every 97th request is answered 250 ms late, after its deadline, while later requests run on the same
        // connection. Every 151st request resets the connection, if 300 ms have passed since the last reset, so that
        // some late replies arrive before a reset and some are lost with one.
        var lateSent = 0;
        var lastReset = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var server = new ScriptedModbusServer(async x =>
        {
            var sinceReset = System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref lastReset));
            if (x.RequestNumber % 151 == 0 && sinceReset > TimeSpan.FromMilliseconds(300))
            {
                Interlocked.Exchange(ref lastReset, System.Diagnostics.Stopwatch.GetTimestamp());
                x.Reset();
                return;
            }

            if (x.RequestNumber % 97 == 0)
            {
                var reply = x.RegisterReply();
                _ = Task.Run(async () =>
                {
                    await Task.Delay(250);
                    try
                    {
                        await x.SendAsync(reply);
                        Interlocked.Increment(ref lateSent);
                    }
                    catch (Exception ex) when (ex is ObjectDisposedException or System.Net.Sockets.SocketException or OperationCanceledException)
                    {
                    }
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

        var readsEach = inFlight == 1 ? 100 : 400; // pipelined runs are fast: run longer, so that resets happen
        var results = await RunCallersAsync(client, server.Endpoint, callers: 32, readsEach);

        // Late replies arrive after their request's deadline: they are discarded, or lost with a reset that follows.
        Assert.Equal(0, results.Wrong);
        Assert.True(results.Right >= 32 * readsEach * 0.95, $"{results.Right} right, {results.Failed} failed with typed errors");
        Assert.True(server.Connections > 1, "no reset happened");
        Assert.True(Volatile.Read(ref lateSent) > 0, "no late reply was sent");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task ThirtyTwoCallers_WithStaleReplies_LateRepliesAreCountedAndDiscarded(int inFlight)
    {
        // Every 53rd request is held, and answered only when its retry arrives, just before the retry's own reply,
        // while later requests run on the same connection. A retry is sent only after the attempt it repeats has ended,
        // so each held reply is late by construction, not by a server delay outrunning the deadline on a busy machine.
        // (Callers read disjoint addresses, so only a request's own retry can carry its address and count.)
        var held = new ConcurrentDictionary<(ushort Address, ushort Quantity), byte[]>();
        var lateSent = 0;
        await using var server = new ScriptedModbusServer(async x =>
        {
            if (held.TryRemove((x.Address, x.Quantity), out var late))
            {
                await x.SendAsync(late);
                Interlocked.Increment(ref lateSent);
            }

            if (x.RequestNumber % 53 == 0)
            {
                held[(x.Address, x.Quantity)] = x.RegisterReply();
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
            TimeoutsBeforeReconnect = 100,
        });

        var results = await RunCallersAsync(client, server.Endpoint, callers: 32, readsEach: 50);

        // Each late reply went out ahead of the reply that completed its retry, on one connection: it has been read.
        // A request that a busy machine let time out adds a late reply of its own, so the count is at least lateSent.
        Assert.Equal(0, results.Wrong);
        Assert.Equal(32 * 50, results.Right);
        Assert.Equal(server.Requests / 53, Volatile.Read(ref lateSent)); // every held reply went out: every call ended well
        Assert.True(lateSent > 0);
        Assert.True(client.LateReplies >= Volatile.Read(ref lateSent), $"{client.LateReplies} late replies counted, {lateSent} sent");
        Assert.Equal(1, server.Connections); // late replies are discarded, not treated as a broken stream
    }

    [Fact]
    public async Task PipelinedRepliesInAnyOrder_AreMatchedByTransactionId()
    {
        // The server holds replies four at a time and sends each batch in reverse order.
        var batch = new List<byte[]>();
        await using var server = new ScriptedModbusServer(async x =>
        {
            byte[][] ready = [];
            lock (batch)
            {
                batch.Add(x.RegisterReply());
                if (batch.Count == 4)
                {
                    ready = [.. Enumerable.Reverse(batch)];
                    batch.Clear();
                }
            }

            foreach (var reply in ready)
            {
                await x.SendAsync(reply);
            }
        });
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { MaxRequestsInFlight = 4, RequestTimeout = TimeSpan.FromSeconds(10) });

        var results = await RunCallersAsync(client, server.Endpoint, callers: 4, readsEach: 200);

        Assert.Equal((800, 0, 0), results);
        Assert.Equal(1, server.Connections);
    }

    private static async Task<(int Right, int Wrong, int Failed)> RunCallersAsync(ModbusTcpTransport client, ModbusEndpoint endpoint, int callers, int readsEach)
    {
        int right = 0, wrong = 0, failed = 0;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            var buffer = new ushort[125];
            var slice = 65536 / callers; // each caller reads its own addresses
            for (var i = 0; i < readsEach; i++)
            {
                var count = random.Next(1, 11);
                var address = (ushort)((caller * slice) + random.Next(0, slice - count));
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
