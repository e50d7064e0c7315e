using System.Data.Common;
using System.Text.Json;
using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Postgres.Internal;
using Flux.Devices.Storage;
using Flux.Devices.Storage.Internal;
using Flux.Devices.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace Flux.Devices.Postgres;

/// <summary>Transactions, retries, parameters and row readers.</summary>
internal sealed partial class PostgresDeviceStore
{
    /// <summary>
    /// Runs work in a transaction of its own, committed at the end (or, for a read or a write in one statement or one batch
    /// that may be repeated, <paramref name="implicitTransaction"/>, without one: PostgreSQL's implicit transaction); retried from the start
    /// after a transient failure that happened before the commit; constraint violations translated by
    /// <paramref name="byConstraint"/>, which gets the original error to keep as the inner exception.
    /// </summary>
    private async Task<T> RunAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction?, CancellationToken, Task<T>> work,
        Func<string, Exception, Exception?> byConstraint,
        CancellationToken cancellationToken,
        bool readOnly = false,
        string? operation = null,
        bool implicitTransaction = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var committing = false;
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                if (readOnly || implicitTransaction)
                {
                    // A write in one statement or one batch needs no BEGIN/COMMIT of its own: PostgreSQL runs a batch's
                    // statements up to its one Sync message in one implicit transaction (each sees the effects of those
                    // before it; an error in any rolls them all back). One round trip instead of two (the COMMIT).
                    return await work(connection, null, cancellationToken).ConfigureAwait(false);
                }

                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var transactionScope = transaction.ConfigureAwait(false);
                var result = await work(connection, transaction, cancellationToken).ConfigureAwait(false);
                committing = true;
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (Exception ex) when (ex is PostgresException or NpgsqlException)
            {
                if (PostgresErrors.Translate(ex, byConstraint) is var translated && !ReferenceEquals(translated, ex))
                {
                    throw translated;
                }

                if (!PostgresErrors.IsTransient(ex) || cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                if (committing || attempt >= _options.TransientRetries)
                {
                    throw new DeviceStoreUnavailableException(
                        committing
                            ? "The connection to PostgreSQL failed while committing; the write may or may not have been made."
                            : $"PostgreSQL could not be reached or failed transiently {attempt + 1} time(s): {PostgresErrors.Describe(ex)}",
                        ex);
                }

                var wait = StoreTelemetry.Backoff(_options.RetryDelay, attempt);
                StoreTelemetry.Retrying(_logger, "PostgreSQL", operation ?? (readOnly ? "read" : "write"), attempt + 1, _options.TransientRetries + 1, wait, PostgresErrors.Describe(ex));
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs a write (<see cref="RunAsync"/>) traced as one activity, <paramref name="operation"/> on the table
    /// <paramref name="table"/> of the store's schema; a failure marks it with the type of the exception the caller gets.
    /// </summary>
    private async Task<T> WriteAsync<T>(
        string operation,
        string table,
        Func<NpgsqlConnection, NpgsqlTransaction?, CancellationToken, Task<T>> work,
        Func<string, Exception, Exception?> byConstraint,
        CancellationToken cancellationToken,
        bool implicitTransaction = false)
    {
        var collection = $"{_options.Schema}.{table}";
        using var activity = StoreTelemetry.StartWrite("postgresql", operation, collection);
        try
        {
            return await RunAsync(work, byConstraint, cancellationToken, operation: $"{operation} {collection}", implicitTransaction: implicitTransaction).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            StoreTelemetry.Fail(activity, ex, (ex as PostgresException ?? ex.InnerException as PostgresException)?.SqlState);
            throw;
        }
    }

    /// <summary>Runs a read, retried like a write after a transient failure.</summary>
    private async ValueTask<IReadOnlyList<T>> QueryAsync<T>(Func<NpgsqlCommand, string> prepare, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) =>
        await RunAsync<IReadOnlyList<T>>(
            async (connection, transaction, token) =>
            {
                using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
                command.CommandText = prepare(command);
                return await DataReaders.ReadAllAsync(await command.ExecuteReaderAsync(token).ConfigureAwait(false), read, token).ConfigureAwait(false);
            },
            static (_, _) => null,
            cancellationToken,
            readOnly: true).ConfigureAwait(false);

    private async ValueTask<T?> QuerySingleAsync<T>(string sql, object key, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        var rows = await QueryAsync(command => Bind(command, sql, key), read, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private static string Bind(NpgsqlCommand command, string sql, object value)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        return sql;
    }

    /// <summary>Rounds up to the microsecond, the precision timestamps are kept to.</summary>
    private static DateTimeOffset CeilingMicrosecond(DateTimeOffset value)
    {
        var floor = Internal.Sql.ToMicroseconds(value);
        return floor >= value ? floor
            : floor.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - 10 ? DateTimeOffset.MaxValue // the end of time: PostgreSQL's infinity
            : floor.AddTicks(10);
    }

    private async Task<string> CurrentRoleAsync(CancellationToken cancellationToken) =>
        (await QueryAsync(static _ => "SELECT current_user::text", static reader => reader.GetString(0), cancellationToken).ConfigureAwait(false))[0];

    private async Task<long?> StoredVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand($"SELECT version FROM {_devices} WHERE id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
    }

    /// <summary>$1..$10: the device's columns in <see cref="DeviceColumns"/> order.</summary>
    private static void AddDevice(NpgsqlCommand command, Device device)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = device.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = device.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = device.Type });
        command.Parameters.Add(new NpgsqlParameter { Value = device.Site });
        command.Parameters.Add(new NpgsqlParameter { Value = device.Metadata.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = device.Active });
        command.Parameters.Add(new NpgsqlParameter { Value = Sql.Name(device.State) });
        command.Parameters.Add(new NpgsqlParameter { Value = device.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = device.CreatedAt.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = device.UpdatedAt.ToUniversalTime() });
    }

    /// <summary>$11..$20: the entry's columns after the device id, in <see cref="HistoryColumns"/> order.</summary>
    private static void AddEntry(NpgsqlCommand command, DeviceHistoryEntry entry)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = Sql.Name(entry.Kind) });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.FromState is { } from ? Sql.Name(from) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = Sql.Name(entry.ToState) });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Trigger is { } trigger ? Sql.Name(trigger) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.ChangedFields.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Actor ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entry.Timestamp.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)ControlJson(entry.Control) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
    }

    /// <summary>A control entry's record as JSON, or <see langword="null"/> for other entries.</summary>
    private static string? ControlJson(Flux.Devices.Control.DeviceControlRecord? control) =>
        control is null ? null : JsonSerializer.Serialize(control);

    private static Device ReadDevice(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Name = reader.GetString(1),
        Type = reader.GetString(2),
        Site = reader.GetString(3),
        Metadata = ReadMetadata(reader, 4),
        Active = reader.GetBoolean(5),
        State = Sql.Parse<DeviceState>(reader.GetString(6)),
        Version = reader.GetInt64(7),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(8),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(9),
    };

    /// <summary>
    /// A <c>jsonb</c> metadata column, read as its UTF-8 bytes, checked by a scan and parsed when first used (most of
    /// the time a list took went into parsing every device's metadata from a string); text that is not plainly storable
    /// is read again as a string and parsed, or refused, exactly as before.
    /// </summary>
    private static DeviceMetadata ReadMetadata(NpgsqlDataReader reader, int ordinal) =>
        DeviceMetadata.ParseJsonb(reader.GetFieldValue<byte[]>(ordinal));

    private static DeviceHistoryEntry ReadEntry(NpgsqlDataReader reader) => new()
    {
        DeviceId = reader.GetGuid(0),
        Version = reader.GetInt64(1),
        Kind = Sql.Parse<DeviceChangeKind>(reader.GetString(2)),
        FromState = reader.IsDBNull(3) ? null : Sql.Parse<DeviceState>(reader.GetString(3)),
        ToState = Sql.Parse<DeviceState>(reader.GetString(4)),
        Trigger = reader.IsDBNull(5) ? null : Sql.Parse<DeviceTrigger>(reader.GetString(5)),
        ChangedFields = reader.GetFieldValue<string[]>(6),
        Reason = reader.IsDBNull(7) ? null : reader.GetString(7),
        Actor = reader.IsDBNull(8) ? null : reader.GetString(8),
        Timestamp = reader.GetFieldValue<DateTimeOffset>(9),
        Control = reader.IsDBNull(10) ? null : JsonSerializer.Deserialize<Flux.Devices.Control.DeviceControlRecord>(reader.GetString(10)),
    };

    /// <summary>A group row; a null metadata or creation time (rows the spec's examples insert leave them out) reads as empty.</summary>
    private static DeviceGroup ReadGroup(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Name = reader.GetString(1),
        Site = reader.GetString(2),
        GroupType = Sql.Parse<DeviceGroupType>(reader.GetString(3)),
        Metadata = reader.IsDBNull(4) ? DeviceMetadata.Empty : ReadMetadata(reader, 4),
        CreatedAt = reader.IsDBNull(5) ? default : reader.GetFieldValue<DateTimeOffset>(5),
    };

    /// <summary>A membership row; the spec leaves role and priority nullable, read as primary and 0.</summary>
    private static DeviceGroupMember ReadMember(NpgsqlDataReader reader) => new()
    {
        GroupId = reader.GetGuid(0),
        DeviceId = reader.GetGuid(1),
        Role = reader.IsDBNull(2) ? GroupMemberRole.Primary : Sql.Parse<GroupMemberRole>(reader.GetString(2)),
        Priority = reader.IsDBNull(3) ? 0 : reader.GetInt32(3),
    };

    private static DeviceHealthSample ReadSample(NpgsqlDataReader reader) => new()
    {
        DeviceId = reader.GetGuid(0),
        Timestamp = reader.GetFieldValue<DateTimeOffset>(1),
        Status = Sql.Parse<DeviceHealthStatus>(reader.GetString(2)),
        ResponseTimeMs = reader.IsDBNull(3) ? null : reader.GetInt32(3),
        ErrorCount = reader.IsDBNull(4) ? 0 : reader.GetInt32(4),
        LastSuccessfulPoll = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
        Diagnostics = reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<HealthDiagnostics>(reader.GetString(6)),
    };

    private static TelemetryReading ReadReading(NpgsqlDataReader reader) => new()
    {
        DeviceId = reader.GetGuid(0),
        Timestamp = reader.GetFieldValue<DateTimeOffset>(1),
        Point = reader.GetString(2),
        Value = reader.GetDouble(3),
    };

    private async Task CopyDevicesAsync(NpgsqlConnection connection, IReadOnlyList<Storage.DeviceWrite> additions, CancellationToken cancellationToken)
    {
        var import = await connection.BeginBinaryImportAsync($"COPY {_devices} ({DeviceColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using var importScope = import.ConfigureAwait(false);
        foreach (var (device, _) in additions)
        {
            await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.Id, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.Name, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.Type, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.Site, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.Metadata.ToJsonString(), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.Active, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(Sql.Name(device.State), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.Version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(device.UpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        }

        await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CopyEntriesAsync(NpgsqlConnection connection, IReadOnlyList<Storage.DeviceWrite> additions, CancellationToken cancellationToken)
    {
        var import = await connection.BeginBinaryImportAsync($"COPY {_history} ({HistoryColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using var importScope = import.ConfigureAwait(false);
        foreach (var (_, entry) in additions)
        {
            await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(entry.DeviceId, NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(entry.Version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(Sql.Name(entry.Kind), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(import, entry.FromState is { } from ? Sql.Name(from) : null, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(Sql.Name(entry.ToState), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(import, entry.Trigger is { } trigger ? Sql.Name(trigger) : null, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(entry.ChangedFields.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(import, entry.Reason, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(import, entry.Actor, cancellationToken).ConfigureAwait(false);
            await import.WriteAsync(entry.Timestamp, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            if (ControlJson(entry.Control) is { } control)
            {
                await import.WriteAsync(control, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(NpgsqlBinaryImporter import, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await import.WriteAsync(value, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter import, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct
    {
        if (value is { } present)
        {
            await import.WriteAsync(present, type, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
    }
    private const string WindowColumns = "id, device_id, starts_at, ends_at, reason, actor, created_at, status, note";

    private static MaintenanceWindow ReadWindow(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        DeviceId = reader.GetGuid(1),
        Start = reader.GetFieldValue<DateTimeOffset>(2),
        End = reader.GetFieldValue<DateTimeOffset>(3),
        Reason = reader.GetString(4),
        Actor = reader.IsDBNull(5) ? null : reader.GetString(5),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
        Status = Storage.EnumText.Parse<MaintenanceWindowStatus>(reader.GetString(7)),
        Note = reader.IsDBNull(8) ? null : reader.GetString(8),
    };
}

/// <summary>Drops a task's result.</summary>
internal static class TaskExtensions
{
    public static async ValueTask AsValueTaskWithoutResult<T>(this Task<T> task) => await task.ConfigureAwait(false);
}
