using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>The test server itself: reachable, and the version the store is written for.</summary>
public sealed class ServerTests(PostgresServer server)
{
    [Fact]
    public async Task Server_TakesConnections_AndIsPostgres15OrLater()
    {
        server.Require();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);

        Assert.True(connection.PostgreSqlVersion >= new Version(15, 0), $"PostgreSQL {connection.PostgreSqlVersion}");
    }
}
