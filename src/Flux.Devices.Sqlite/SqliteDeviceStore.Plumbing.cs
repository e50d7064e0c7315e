using System.Text.Json;
using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Microsoft.Data.Sqlite;

namespace Flux.Devices.Sqlite;

/// <summary>The schema, transactions, parameters and row readers.</summary>
public sealed partial class SqliteDeviceStore
{
    private const string DeviceColumns = "id, name, type, site, metadata, active, state, version, created_at, updated_at";
    private const string HistoryColumns = "device_id, version, kind, from_state, to_state, trigger, changed_fields, reason, actor, timestamp";
    private const string GroupColumns = "id, name, site, group_type, metadata, created_at";
    private const string HealthColumns = "device_id, timestamp, status, response_time_ms, error_count, last_successful_poll, diagnostics";

    /// <summary>
    /// The spec's tables in SQLite's types: ids as text, timestamps as UTC ticks (exact, and ordered as numbers), metadata
    /// as JSON text checked to be an object. Names compare by byte, which on UTF-8 is code point order.
    /// </summary>
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS mg_device_registry (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            site TEXT NOT NULL,
            metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
            active INTEGER NOT NULL DEFAULT 1,
            state TEXT NOT NULL DEFAULT 'registered',
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS mg_device_registry_type_site ON mg_device_registry (type, site);
        CREATE INDEX IF NOT EXISTS mg_device_registry_state ON mg_device_registry (state);
        CREATE TABLE IF NOT EXISTS device_history (
            device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
            version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            trigger TEXT,
            changed_fields TEXT NOT NULL DEFAULT '[]',
            reason TEXT,
            actor TEXT,
            timestamp INTEGER NOT NULL,
            PRIMARY KEY (device_id, version)
        );
        CREATE TABLE IF NOT EXISTS device_groups (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            site TEXT NOT NULL,
            group_type TEXT NOT NULL,
            metadata TEXT,
            created_at INTEGER
        );
        CREATE TABLE IF NOT EXISTS device_group_members (
            group_id TEXT REFERENCES device_groups(id),
            device_id TEXT REFERENCES mg_device_registry(id),
            role TEXT,
            priority INTEGER,
            PRIMARY KEY (group_id, device_id)
        );
        CREATE INDEX IF NOT EXISTS device_group_members_device ON device_group_members (device_id);
        CREATE TABLE IF NOT EXISTS device_health (
            device_id TEXT NOT NULL REFERENCES mg_device_registry(id),
            timestamp INTEGER NOT NULL,
            status TEXT NOT NULL,
            response_time_ms INTEGER,
            error_count INTEGER,
            last_successful_poll INTEGER,
            diagnostics TEXT,
            PRIMARY KEY (device_id, timestamp)
        );
        INSERT OR IGNORE INTO schema_migrations (version, name, applied_at) VALUES (1, 'initial', 0);
        -- Other writers (the sqlite3 shell, another program) leave version alone: move it for them, so that a stale
        -- compare-and-set fails instead of undoing their change, record the change as kind 'external', and read the
        -- spec's maintenance statement (active = 0 with a metadata.maintenance object) as maintenance, its undoing as
        -- testing; as the PostgreSQL store's trigger does. Timestamps are .NET ticks (UTC).
        CREATE TRIGGER IF NOT EXISTS mg_device_registry_other_writer
        AFTER UPDATE ON mg_device_registry FOR EACH ROW
        WHEN NEW.version = OLD.version AND (
            NEW.name IS NOT OLD.name OR NEW.type IS NOT OLD.type OR NEW.site IS NOT OLD.site OR NEW.active IS NOT OLD.active
            OR NEW.metadata IS NOT OLD.metadata OR NEW.state IS NOT OLD.state
            OR (OLD.state NOT IN ('maintenance', 'decommissioned') AND NOT NEW.active AND json_type(NEW.metadata, '$.maintenance') = 'object'))
        BEGIN
            UPDATE mg_device_registry SET
                version = OLD.version + 1,
                state = CASE
                    WHEN NEW.state = OLD.state AND OLD.state NOT IN ('maintenance', 'decommissioned') AND NOT NEW.active
                        AND json_type(NEW.metadata, '$.maintenance') = 'object' THEN 'maintenance'
                    WHEN NEW.state = OLD.state AND OLD.state = 'maintenance' AND NEW.active
                        AND json_type(NEW.metadata, '$.maintenance') IS NULL THEN 'testing'
                    ELSE NEW.state END,
                updated_at = CASE WHEN NEW.updated_at = OLD.updated_at
                    THEN CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 10000 + 621355968000000000
                    ELSE NEW.updated_at END
            WHERE id = NEW.id;
            INSERT INTO device_history (device_id, version, kind, from_state, to_state, trigger, changed_fields, reason, actor, timestamp)
            SELECT r.id, r.version, 'external', OLD.state, r.state, NULL,
                (SELECT json_group_array(f) FROM (
                    SELECT 1 AS o, 'name' AS f WHERE NEW.name IS NOT OLD.name
                    UNION ALL SELECT 2, 'type' WHERE NEW.type IS NOT OLD.type
                    UNION ALL SELECT 3, 'site' WHERE NEW.site IS NOT OLD.site
                    UNION ALL SELECT 4, 'active' WHERE NEW.active IS NOT OLD.active
                    UNION ALL SELECT 5, 'metadata.' || k FROM (
                        SELECT n.key AS k FROM json_each(NEW.metadata) n LEFT JOIN json_each(OLD.metadata) p ON p.key = n.key
                        WHERE p.key IS NULL OR p.type IS NOT n.type OR p.value IS NOT n.value
                        UNION SELECT p.key FROM json_each(OLD.metadata) p WHERE p.key NOT IN (SELECT key FROM json_each(NEW.metadata)))
                    ORDER BY o, f)),
                CASE
                    WHEN r.state = 'maintenance' AND OLD.state <> 'maintenance' THEN 'Changed outside Flux.Devices: active = false with metadata.maintenance'
                    WHEN OLD.state = 'maintenance' AND r.state = 'testing' THEN 'Changed outside Flux.Devices: active = true without metadata.maintenance'
                    ELSE 'Changed outside Flux.Devices' END,
                'sqlite', r.updated_at
            FROM mg_device_registry r WHERE r.id = NEW.id;
        END;
        UPDATE mg_device_registry SET active = active
        WHERE state NOT IN ('maintenance', 'decommissioned') AND NOT active AND json_type(metadata, '$.maintenance') = 'object';
        INSERT OR IGNORE INTO schema_migrations (version, name, applied_at) VALUES (2, 'other_writers', 0);
        """;

    private async Task CreateSchemaAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await using var connectionScope = connection.ConfigureAwait(false);
        await connection.OpenAsync().ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>Runs work in one immediate transaction (the write lock taken at once), committed at the end.</summary>
    private async ValueTask WriteAsync(
        Func<SqliteConnection, SqliteTransaction, CancellationToken, Task> work,
        CancellationToken cancellationToken,
        Func<string, string, Exception?>? byUniqueColumn = null)
    {
        await _schema.Value.ConfigureAwait(false);
        var connection = new SqliteConnection(_connectionString);
        await using var connectionScope = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        try
        {
            await work(connection, transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (byUniqueColumn is not null && UniqueColumn(ex) is var (table, column) && byUniqueColumn(table, column) is { } translated)
        {
            throw translated;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<IReadOnlyList<T>> QueryAsync<T>(string sql, object[] values, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await _schema.Value.ConfigureAwait(false);
        var connection = new SqliteConnection(_connectionString);
        await using var connectionScope = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = Command(connection, null, sql, values);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async ValueTask<T?> QuerySingleAsync<T>(string sql, object[] values, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var rows = await QueryAsync(sql, values, read, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, object[] values, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, sql, values);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, object[] values, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, sql, values);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, object[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue($"$p{i}", values[i] ?? DBNull.Value);
        }

        return command;
    }

    private static void SetValues(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    /// <summary>The table and column of a UNIQUE or PRIMARY KEY violation ("UNIQUE constraint failed: t.c").</summary>
    private static (string Table, string Column)? UniqueColumn(SqliteException exception)
    {
        if (exception.SqliteExtendedErrorCode is not (1555 or 2067))
        {
            return null;
        }

        var marker = exception.Message.IndexOf("failed: ", StringComparison.Ordinal);
        var target = marker < 0 ? string.Empty : exception.Message[(marker + 8)..].Split([',', '\''])[0].Trim();
        var dot = target.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? null : (target[..dot], target[(dot + 1)..]);
    }

    private static async Task InsertDeviceAsync(SqliteConnection connection, SqliteTransaction transaction, Device device, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, transaction, $"INSERT INTO mg_device_registry ({DeviceColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9)", DeviceValues(device), cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (UniqueColumn(ex) is var (_, column))
        {
            throw column == "id" ? new AlreadyExistsException("id", device.Id.ToString(), ex) : new AlreadyExistsException("name", device.Name, ex);
        }
    }

    private static Task<int> InsertEntryAsync(SqliteConnection connection, SqliteTransaction transaction, DeviceHistoryEntry entry, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO device_history ({HistoryColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9)",
            [
                Text(entry.DeviceId), entry.Version, Name(entry.Kind), entry.FromState is { } from ? StateName(from) : DBNull.Value, StateName(entry.ToState),
                entry.Trigger is { } trigger ? Name(trigger) : DBNull.Value, JsonSerializer.Serialize(entry.ChangedFields), (object?)entry.Reason ?? DBNull.Value,
                (object?)entry.Actor ?? DBNull.Value, Ticks(entry.Timestamp),
            ],
            cancellationToken);

    /// <summary>Writes the next version with its entry; a decommissioned device leaves its groups in the same transaction.</summary>
    private static async Task ReplaceAsync(SqliteConnection connection, SqliteTransaction transaction, Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(
                connection,
                transaction,
                "UPDATE mg_device_registry SET name = $p1, type = $p2, site = $p3, metadata = $p4, active = $p5, state = $p6, version = $p7, created_at = $p8, updated_at = $p9 WHERE id = $p0",
                DeviceValues(device),
                cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (UniqueColumn(ex) is (_, "name"))
        {
            throw new AlreadyExistsException("name", device.Name, ex);
        }

        await InsertEntryAsync(connection, transaction, entry, cancellationToken).ConfigureAwait(false);
        if (device.State == DeviceState.Decommissioned)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM device_group_members WHERE device_id = $p0", [Text(device.Id)], cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(long Version, string Name, DeviceState State)?> StoredAsync(SqliteConnection connection, SqliteTransaction transaction, Guid id, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT version, name, state FROM mg_device_registry WHERE id = $p0", [Text(id)]);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt64(0), reader.GetString(1), Parse<DeviceState>(reader.GetString(2)))
            : null;
    }

    private static object[] DeviceValues(Device device) =>
    [
        Text(device.Id), device.Name, device.Type, device.Site, device.Metadata.ToJsonString(), device.Active ? 1 : 0, StateName(device.State),
        device.Version, Ticks(device.CreatedAt), Ticks(device.UpdatedAt),
    ];

    private static void AddIn(List<string> clauses, List<object> values, string column, IReadOnlyList<string> accepted)
    {
        if (accepted.Count == 0)
        {
            return;
        }

        clauses.Add($"{column} IN ({string.Join(", ", accepted.Select((_, i) => $"$p{values.Count + i}"))})");
        values.AddRange(accepted);
    }

    private static string Text(Guid id) => id.ToString("D");

    private static long Ticks(DateTimeOffset value) => value.UtcTicks;

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    private static string StateName(DeviceState state) => Name(state);

    private static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => Storage.EnumText.Name(value);

    private static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum => Storage.EnumText.Parse<TEnum>(text);

    private static Device ReadDevice(SqliteDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Name = reader.GetString(1),
        Type = reader.GetString(2),
        Site = reader.GetString(3),
        Metadata = DeviceMetadata.Parse(reader.GetString(4)),
        Active = reader.GetInt64(5) != 0,
        State = Parse<DeviceState>(reader.GetString(6)),
        Version = reader.GetInt64(7),
        CreatedAt = FromTicks(reader.GetInt64(8)),
        UpdatedAt = FromTicks(reader.GetInt64(9)),
    };

    private static DeviceHistoryEntry ReadEntry(SqliteDataReader reader) => new()
    {
        DeviceId = reader.GetGuid(0),
        Version = reader.GetInt64(1),
        Kind = Parse<DeviceChangeKind>(reader.GetString(2)),
        FromState = reader.IsDBNull(3) ? null : Parse<DeviceState>(reader.GetString(3)),
        ToState = Parse<DeviceState>(reader.GetString(4)),
        Trigger = reader.IsDBNull(5) ? null : Parse<DeviceTrigger>(reader.GetString(5)),
        ChangedFields = JsonSerializer.Deserialize<string[]>(reader.GetString(6)) ?? [],
        Reason = reader.IsDBNull(7) ? null : reader.GetString(7),
        Actor = reader.IsDBNull(8) ? null : reader.GetString(8),
        Timestamp = FromTicks(reader.GetInt64(9)),
    };

    private static DeviceGroup ReadGroup(SqliteDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Name = reader.GetString(1),
        Site = reader.GetString(2),
        GroupType = Parse<DeviceGroupType>(reader.GetString(3)),
        Metadata = reader.IsDBNull(4) ? DeviceMetadata.Empty : DeviceMetadata.Parse(reader.GetString(4)),
        CreatedAt = reader.IsDBNull(5) ? default : FromTicks(reader.GetInt64(5)),
    };

    private static DeviceGroupMember ReadMember(SqliteDataReader reader) => new()
    {
        GroupId = reader.GetGuid(0),
        DeviceId = reader.GetGuid(1),
        Role = reader.IsDBNull(2) ? GroupMemberRole.Primary : Parse<GroupMemberRole>(reader.GetString(2)),
        Priority = reader.IsDBNull(3) ? 0 : reader.GetInt32(3),
    };

    private static DeviceHealthSample ReadSample(SqliteDataReader reader) => new()
    {
        DeviceId = reader.GetGuid(0),
        Timestamp = FromTicks(reader.GetInt64(1)),
        Status = Parse<DeviceHealthStatus>(reader.GetString(2)),
        ResponseTimeMs = reader.IsDBNull(3) ? null : reader.GetInt32(3),
        ErrorCount = reader.IsDBNull(4) ? 0 : reader.GetInt32(4),
        LastSuccessfulPoll = reader.IsDBNull(5) ? null : FromTicks(reader.GetInt64(5)),
        Diagnostics = reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<HealthDiagnostics>(reader.GetString(6)),
    };
}
