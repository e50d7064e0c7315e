using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>What the store says when it cannot reach the server: typed, transient, and without the password.</summary>
public sealed class UnreachableServerTests
{
    [Fact]
    public async Task Operations_AgainstNoServer_FailAsUnavailable_WithoutThePasswordInAnyMessage()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: connections are refused
        await using var dataSource = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port};Username=flux;Password=s3cret-Pa55;Timeout=2");
        var store = new PostgresDeviceStore(dataSource, new PostgresStoreOptions { TransientRetries = 1, RetryDelay = TimeSpan.Zero });

        var error = await Assert.ThrowsAsync<DeviceStoreUnavailableException>(async () => await store.GetAsync(Guid.NewGuid(), TestContext.Current.CancellationToken));

        Assert.True(error.IsTransient);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            Assert.DoesNotContain("s3cret-Pa55", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-Pa55", e.ToString(), StringComparison.Ordinal);
        }
    }
}
