using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// A server that is starting up (57P03, with a DETAIL line, as PostgreSQL answers during a restart): the migration is
/// retried like every call, and the error that is finally raised is one line.
/// </summary>
public sealed class StartingServerTests
{
    [Fact]
    public async Task MigrateAsync_AgainstAServerStillStarting_IsRetried_AndFailsAsUnavailableInOneLine()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var connections = 0;
        var serving = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var client = await listener.AcceptTcpClientAsync(stop.Token);
                    Interlocked.Increment(ref connections);
                    await AnswerStartingUpAsync(client.GetStream(), stop.Token);
                }
            },
            stop.Token);
        await using var dataSource = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port};Username=flux;Timeout=5;Pooling=false;SSL Mode=Disable;GSS Encryption Mode=Disable");
        var store = new PostgresDeviceStore(dataSource, new PostgresStoreOptions { TransientRetries = 2, RetryDelay = TimeSpan.Zero });

        var error = await Assert.ThrowsAsync<DeviceStoreUnavailableException>(() => store.MigrateAsync(TestContext.Current.CancellationToken));
        await stop.CancelAsync();
        try
        {
            await serving; // ends when it sees the stop, before or inside its next accept
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(3, connections); // the first try and two retries
        Assert.Contains("57P03: the database system is starting up", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
        Assert.DoesNotContain("DETAIL", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Refuses SSL and GSS encryption, reads the startup packet and answers FATAL 57P03 with a detail, then closes.</summary>
    private static async Task AnswerStartingUpAsync(System.Net.Sockets.NetworkStream stream, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        while (true)
        {
            await stream.ReadExactlyAsync(header.AsMemory(0, 4), cancellationToken);
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header);
            var body = new byte[length - 4];
            await stream.ReadExactlyAsync(body, cancellationToken);
            var code = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body);
            if (code is 80877103 or 80877104) // SSLRequest, GSSENCRequest: "N", not supported
            {
                await stream.WriteAsync("N"u8.ToArray(), cancellationToken);
                continue;
            }

            break;
        }

        var fields = new System.IO.MemoryStream();
        foreach (var (type, text) in new[] { ('S', "FATAL"), ('V', "FATAL"), ('C', "57P03"), ('M', "the database system is starting up"), ('D', "Consistent recovery state has not been yet reached.") })
        {
            fields.WriteByte((byte)type);
            fields.Write(System.Text.Encoding.UTF8.GetBytes(text));
            fields.WriteByte(0);
        }

        fields.WriteByte(0);
        var message = new byte[5 + fields.Length];
        message[0] = (byte)'E';
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), (int)fields.Length + 4);
        fields.ToArray().CopyTo(message, 5);
        await stream.WriteAsync(message, cancellationToken);
    }
}
