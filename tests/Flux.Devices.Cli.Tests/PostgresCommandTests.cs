using System.Text.Json;
using Flux.Devices.TestUtilities;
using Npgsql;

namespace Flux.Devices.Cli.Tests;

/// <summary><c>--store</c> with a PostgreSQL connection string: the same commands on a real server, in a database of their own.</summary>
public sealed class PostgresCommandTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _database = $"flux_cli_{Guid.NewGuid():N}";
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-cli-pg-").FullName;

    private string Store => new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = _database }.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        server.Require();
        await server.ExecuteAsync($"CREATE DATABASE {_database}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RegisterApplyTemplateAndList_OnPostgres_WriteTheSpecsTables()
    {
        var template = Path.Combine(_directory, "powerpack_bess.yaml");
        await File.WriteAllTextAsync(template, SpecSamples.PowerPackTemplateAsPrinted, TestContext.Current.CancellationToken);

        var (code, _, error) = await FluxProcess.RunAsync("devices", "register", "WLCE-BESS-01", "--type", "bess", "--site", "WLCE", "--metadata", SpecSamples.BessMetadataJson, "--store", Store);
        var (commitCode, _, _) = await FluxProcess.RunAsync("devices", "apply-template", "--template", template, "--filter", "type=bess,site=WLCE", "--commit", "--store", Store);
        var (listCode, list, _) = await FluxProcess.RunAsync("devices", "list", "--output", "json", "--store", Store);

        Assert.Equal(FluxCli.Ok, code);
        Assert.StartsWith("Registered WLCE-BESS-01", error, StringComparison.Ordinal);
        Assert.Equal((FluxCli.Ok, FluxCli.Ok), (commitCode, listCode));
        using var json = JsonDocument.Parse(list);
        Assert.Equal(("WLCE-BESS-01", "configured"), (json.RootElement[0].GetProperty("name").GetString(), json.RootElement[0].GetProperty("state").GetString()));

        // The rows are in the spec's table, where other tools read them.
        await using var connection = new NpgsqlConnection(Store);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var query = new NpgsqlCommand("SELECT name, metadata->>'manufacturer', state FROM flux.mg_device_registry", connection);
        await using var reader = await query.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(("WLCE-BESS-01", "PowerPack", "configured"), (reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        Assert.False(await reader.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ARoleWithRowPrivilegesOnly_UsesEveryCommand_AndSeesTheSpecsMaintenanceStatementAsMaintenance()
    {
        var (setup, _, _) = await FluxProcess.RunAsync("devices", "register", "WLCE-BESS-01", "--type", "bess", "--site", "WLCE", "--metadata", SpecSamples.BessMetadataJson, "--store", Store);
        Assert.Equal(FluxCli.Ok, setup); // the owner's first command created the schema
        var role = $"{_database}_rw";
        await ExecuteAsync($"""
            CREATE ROLE {role} LOGIN;
            GRANT USAGE ON SCHEMA flux TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA flux TO {role};
            """);
        try
        {
            var limited = new NpgsqlConnectionStringBuilder(Store) { Username = role }.ConnectionString;
            var (register, _, registerError) = await FluxProcess.RunAsync("devices", "register", "WLCE-METER-02", "--type", "meter", "--site", "WLCE", "--metadata", SpecSamples.MeterMetadataJson, "--store", limited);
            Assert.True(register == FluxCli.Ok, registerError);
            await ExecuteAsync(SpecSamples.MaintenanceUpdate("flux", "name = 'WLCE-BESS-01'"));

            var (show, shown, _) = await FluxProcess.RunAsync("devices", "show", "WLCE-BESS-01", "--output", "json", "--store", limited);
            var (exit, _, exitError) = await FluxProcess.RunAsync("devices", "maintenance", "exit", "WLCE-BESS-01", "--store", limited);
            var (list, listed, _) = await FluxProcess.RunAsync("devices", "list", "--output", "json", "--store", limited);

            Assert.Equal(FluxCli.Ok, show);
            using (var json = JsonDocument.Parse(shown))
            {
                Assert.Equal("maintenance", json.RootElement.GetProperty("state").GetString());
            }

            Assert.True(exit == FluxCli.Ok, exitError);
            Assert.Equal(FluxCli.Ok, list);
            using (var json = JsonDocument.Parse(listed))
            {
                Assert.Equal([("WLCE-BESS-01", "testing"), ("WLCE-METER-02", "registered")], json.RootElement.EnumerateArray().Select(d => (d.GetProperty("name").GetString(), d.GetProperty("state").GetString())));
            }

            // Without row privileges: one line naming the server's refusal, no DETAIL lines.
            await ExecuteAsync($"REVOKE SELECT ON ALL TABLES IN SCHEMA flux FROM {role}");
            var (denied, _, deniedError) = await FluxProcess.RunAsync("devices", "list", "--store", limited);
            Assert.Equal(FluxCli.Failed, denied);
            Assert.Equal("flux: PostgreSQL 42501: permission denied for table schema_migrations", deniedError.TrimEnd());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP OWNED BY {role}; DROP ROLE {role}");
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Store);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
