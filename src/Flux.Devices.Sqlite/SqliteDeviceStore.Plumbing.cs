using System.Text.Json;
using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Sqlite.Internal;
using Flux.Devices.Storage;
using Flux.Devices.Storage.Internal;
using Flux.Devices.Telemetry;
using Microsoft.Data.Sqlite;

namespace Flux.Devices.Sqlite;

/// <summary>The schema, transactions, retries, parameters and row readers.</summary>
internal sealed partial class SqliteDeviceStore
{
    private const string DeviceColumns = "id, name, type, site, metadata, active, state, version, created_at, updated_at";
    private const string HistoryColumns = "device_id, version, kind, from_state, to_state, trigger, changed_fields, reason, actor, timestamp, control";
    private const string GroupColumns = "id, name, site, group_type, metadata, created_at";
    private const string HealthColumns = "device_id, timestamp, status, response_time_ms, error_count, last_successful_poll, diagnostics";
    private const string TelemetryColumns = "device_id, timestamp, point, value";
    private const string WindowColumns = "id, device_id, starts_at, ends_at, reason, actor, created_at, status, note";

    /// <summary>
    /// Makes the file's schema current once per store: write-ahead logging on, then, only when the file is behind, the
    /// embedded migrations it lacks in one immediate transaction (<see cref="SchemaMigrator"/>). Retried and translated as
    /// every operation is; a failure is not remembered, so the next call tries again.
    /// </summary>
    private async Task<int> EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return 0;
        }

        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return 0;
            }

            var applied = await AttemptAsync("migrate", write: false, MigrateCoreAsync, cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
            return applied;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private async Task<int> MigrateCoreAsync(SqliteConnection connection, SqliteTransaction? none, CancellationToken cancellationToken)
    {
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (await SchemaMigrator.AppliedVersionAsync(connection, null, cancellationToken).ConfigureAwait(false) >= SchemaMigrator.LatestVersion)
        {
            return 0;
        }

        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var applied = await SchemaMigrator.MigrateAsync(connection, transaction, _time.GetUtcNow().UtcTicks, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>
    /// Runs a write in one immediate transaction (the write lock taken at once), committed at the end, traced as
    /// <paramref name="operation"/> on <paramref name="collection"/>; unique violations translated by
    /// <paramref name="byUniqueColumn"/>; retried and translated by <see cref="RunAsync"/>.
    /// </summary>
    private async ValueTask WriteAsync(
        string operation,
        string collection,
        Func<SqliteConnection, SqliteTransaction, CancellationToken, Task> work,
        CancellationToken cancellationToken,
        Func<string, string, Exception?>? byUniqueColumn = null)
    {
        using var activity = StoreTelemetry.StartWrite("sqlite", operation, collection);
        try
        {
            await RunAsync(
                $"{operation} {collection}",
                write: true,
                async (connection, transaction, token) =>
                {
                    try
                    {
                        await work(connection, transaction!, token).ConfigureAwait(false);
                    }
                    catch (SqliteException ex) when (byUniqueColumn is not null && UniqueColumn(ex) is var (table, column) && byUniqueColumn(table, column) is { } translated)
                    {
                        throw translated;
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            var cause = ex as SqliteException ?? ex.InnerException as SqliteException;
            StoreTelemetry.Fail(activity, ex, cause?.SqliteExtendedErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw;
        }
    }

    /// <summary>Runs an operation on a schema made current first (<see cref="EnsureSchemaAsync"/>), retried and translated by <see cref="AttemptAsync"/>.</summary>
    private async Task<T> RunAsync<T>(string operation, bool write, Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return await AttemptAsync(operation, write, work, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs work on a connection of its own, for a write in an immediate transaction committed at the end; tried again from
    /// the start, up to <see cref="SqliteStoreOptions.TransientRetries"/> times with a doubling wait, when the file was busy
    /// or locked (nothing was written then, the commit included); every SQLite error that is left becomes
    /// <see cref="DeviceStoreUnavailableException"/> (<see cref="SqliteErrors"/> says which are transient).
    /// </summary>
    private async Task<T> AttemptAsync<T>(string operation, bool write, Func<SqliteConnection, SqliteTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var committing = false;
            try
            {
                var connection = new SqliteConnection(_connectionString);
                await using var connectionScope = connection.ConfigureAwait(false);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                if (!write)
                {
                    return await work(connection, null, cancellationToken).ConfigureAwait(false);
                }

                var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var transactionScope = transaction.ConfigureAwait(false);
                var result = await work(connection, transaction, cancellationToken).ConfigureAwait(false);
                committing = true;
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (SqliteException ex)
            {
                if (!SqliteErrors.IsRetried(ex) || attempt >= _options.TransientRetries || cancellationToken.IsCancellationRequested)
                {
                    throw SqliteErrors.Translate(ex, Path, attempt + 1, committing);
                }

                var wait = StoreTelemetry.Backoff(_options.RetryDelay, attempt);
                StoreTelemetry.Retrying(_logger, "SQLite", operation, attempt + 1, _options.TransientRetries + 1, wait, ex.Message);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<IReadOnlyList<T>> QueryAsync<T>(string sql, object[] values, Func<SqliteDataReader, T> read, CancellationToken cancellationToken) =>
        await RunAsync<IReadOnlyList<T>>(
            "read",
            write: false,
            async (connection, _, token) =>
            {
                using var command = Command(connection, null, sql, values);
                return await DataReaders.ReadAllAsync(await command.ExecuteReaderAsync(token).ConfigureAwait(false), read, token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

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
            $"INSERT INTO device_history ({HistoryColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10)",
            [
                Text(entry.DeviceId), entry.Version, Name(entry.Kind), entry.FromState is { } from ? StateName(from) : DBNull.Value, StateName(entry.ToState),
                entry.Trigger is { } trigger ? Name(trigger) : DBNull.Value, JsonSerializer.Serialize(entry.ChangedFields), (object?)entry.Reason ?? DBNull.Value,
                (object?)entry.Actor ?? DBNull.Value, Ticks(entry.Timestamp),
                entry.Control is { } control ? JsonSerializer.Serialize(control) : DBNull.Value,
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

            // The move to the archive, in the write's transaction (BEGIN IMMEDIATE: no other writer between the copy and the
            // delete). A row the archive already holds (one appended after an earlier move, at the same key) keeps the archived one.
            foreach (var (table, columns) in new[] { ("device_health", HealthColumns), ("device_telemetry", TelemetryColumns) })
            {
                await ExecuteAsync(connection, transaction, $"INSERT OR IGNORE INTO {table}_archive ({columns}) SELECT {columns} FROM {table} WHERE device_id = $p0", [Text(device.Id)], cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE device_id = $p0", [Text(device.Id)], cancellationToken).ConfigureAwait(false);
            }
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
        Control = reader.IsDBNull(10) ? null : JsonSerializer.Deserialize<Flux.Devices.Control.DeviceControlRecord>(reader.GetString(10)),
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

    private static TelemetryReading ReadReading(SqliteDataReader reader) => new()
    {
        DeviceId = reader.GetGuid(0),
        Timestamp = FromTicks(reader.GetInt64(1)),
        Point = reader.GetString(2),
        Value = reader.GetDouble(3),
    };

    private static MaintenanceWindow ReadWindow(SqliteDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        DeviceId = reader.GetGuid(1),
        Start = FromTicks(reader.GetInt64(2)),
        End = FromTicks(reader.GetInt64(3)),
        Reason = reader.GetString(4),
        Actor = reader.IsDBNull(5) ? null : reader.GetString(5),
        CreatedAt = FromTicks(reader.GetInt64(6)),
        Status = Parse<MaintenanceWindowStatus>(reader.GetString(7)),
        Note = reader.IsDBNull(8) ? null : reader.GetString(8),
    };
}
