using System.Text.Json;
using Flux.Devices.Postgres.Tests.Support;
using Flux.Devices.Specification.Tests;
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
}
