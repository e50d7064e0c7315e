using Flux.Devices.Storage.Internal;
using Microsoft.Data.Sqlite;

namespace Flux.Devices.Sqlite.Internal;

/// <summary>
/// Applies the embedded migrations (<c>Migrations/NNNN_name.sql</c>) in order, each once, recorded in
/// <c>schema_migrations</c> (as the PostgreSQL store does), in the caller's immediate transaction: the write lock is held,
/// so two processes opening a new file at once apply each migration once.
/// </summary>
internal static class SchemaMigrator
{
    private const string ResourcePrefix = "Flux.Devices.Sqlite.Migrations.";

    /// <summary>The migrations table; the schema of files made before the migrations were files, kept as it was.</summary>
    public const string VersionTable = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);";

    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = EmbeddedMigrations.Load(typeof(SchemaMigrator).Assembly, ResourcePrefix);

    /// <summary>Gets the version the embedded migrations bring a file to.</summary>
    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>Reads the version a file is at (0 when it has no migrations table), without writing.</summary>
    public static async Task<long> AppliedVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations') THEN 1 ELSE 0 END";
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is 0L)
        {
            return 0;
        }

        command.CommandText = "SELECT COALESCE(max(version), 0) FROM schema_migrations";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Applies what is missing in the caller's transaction; returns how many migrations were applied.</summary>
    public static async Task<int> MigrateAsync(SqliteConnection connection, SqliteTransaction transaction, long appliedAtTicks, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = VersionTable;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var current = await AppliedVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var applied = 0;
        foreach (var (version, name, sql) in Migrations.Where(m => m.Version > current))
        {
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $at)";
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$at", appliedAtTicks);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            command.Parameters.Clear();
            applied++;
        }

        return applied;
    }
}
