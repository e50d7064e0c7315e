using Flux.Devices.Storage.Internal;
using Npgsql;

namespace Flux.Devices.Postgres.Internal;

/// <summary>
/// Applies the embedded migrations (<c>Migrations/NNNN_name.sql</c>) in order, each once, recorded in
/// <c>schema_migrations</c>; all in one transaction under an advisory lock, so that two processes starting at once
/// apply each migration once and neither sees a half-made schema. The store runs both steps through its own retries.
/// </summary>
internal static class SchemaMigrator
{
    private const string ResourcePrefix = "Flux.Devices.Postgres.Migrations.";

    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = EmbeddedMigrations.Load(typeof(SchemaMigrator).Assembly, ResourcePrefix);

    /// <summary>Gets the version the embedded migrations bring a schema to.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Reads the version a schema is at without creating or locking anything (0 when it has no migrations table), so that
    /// a role that may only read and write rows can open a current schema.
    /// </summary>
    public static async Task<int> AppliedVersionAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        var table = $"{Sql.Quote(schema)}.schema_migrations";
        using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = table });
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return 0;
            }
        }

        using var command = new NpgsqlCommand($"SELECT COALESCE(max(version), 0) FROM {table}", connection);
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Applies what is missing, in the caller's transaction, under a transaction-scoped advisory lock (so that processes
    /// starting together wait for each other and apply each migration once).
    /// </summary>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, CancellationToken cancellationToken)
    {
        var quoted = Sql.Quote(schema);
        using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('flux.devices.migrations:' || $1, 0))", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await Execute(connection, transaction, $"""
            CREATE SCHEMA IF NOT EXISTS {quoted};
            CREATE TABLE IF NOT EXISTS {quoted}.schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            );
            """, cancellationToken).ConfigureAwait(false);

        int current;
        using (var command = new NpgsqlCommand($"SELECT COALESCE(max(version), 0) FROM {quoted}.schema_migrations", connection, transaction))
        {
            current = (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var applied = 0;
        foreach (var (version, name, sql) in Migrations.Where(m => m.Version > current))
        {
            await Execute(connection, transaction, sql.Replace("{schema}", quoted, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            using var record = new NpgsqlCommand($"INSERT INTO {quoted}.schema_migrations (version, name) VALUES ($1, $2)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter { Value = version });
            record.Parameters.Add(new NpgsqlParameter { Value = name });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            applied++;
        }

        return applied;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
