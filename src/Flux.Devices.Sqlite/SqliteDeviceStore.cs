using System.Text.Json;
using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Storage;
using Flux.Devices.Maintenance;
using Flux.Devices.Telemetry;
using Flux.Devices.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Sqlite;

/// <summary>
/// An <see cref="IDeviceStore"/> in one SQLite file: the default of the <c>flux</c> command line and of a single-site edge
/// controller. The spec's tables (without a schema name), the change history, optimistic concurrency on a version column,
/// and every write in a transaction.
/// </summary>
/// <remarks>
/// <para>
/// The file and its tables are made on first use, or by <see cref="MigrateAsync"/> (write-ahead logging on, foreign keys
/// enforced; the embedded migrations recorded in <c>schema_migrations</c>). Writers are serialised by SQLite
/// (<c>BEGIN IMMEDIATE</c>) and wait for each other up to <see cref="SqliteStoreOptions.BusyTimeout"/>, then are tried
/// again; readers never wait for writers. Several processes may share the file on one machine. No
/// <c>SqliteException</c> leaves the store: a file busy past the retries, an I/O error, a full disk or a file that is not
/// a database is a <see cref="DeviceStoreUnavailableException"/>.
/// </para>
/// <para>
/// Lists are filtered in two steps: type, site, state and active flag in SQL, then names and metadata with
/// <see cref="DeviceFilter.Matches"/> itself, so that the semantics are the reference's by construction. That suits a
/// site's fleet (thousands of devices); a fleet of hundreds of thousands belongs in PostgreSQL.
/// </para>
/// </remarks>
internal sealed partial class SqliteDeviceStore : IDeviceStore, IDeviceStoreSchema, IRetentionStore, IDeviceArchiveStore, IMaintenanceScheduleStore, IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Initializes a new instance of the <see cref="SqliteDeviceStore"/> class on a file, made if it does not exist.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock for retry waits and migration times; <see langword="null"/> for the system clock.</param>
    /// <param name="loggerFactory">Where retries are logged; <see langword="null"/> for nowhere.</param>
    /// <exception cref="ArgumentException">The path is blank.</exception>
    public SqliteDeviceStore(string path, SqliteStoreOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options ?? new SqliteStoreOptions();
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        }.ToString();
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger(FluxDevicesDiagnostics.StorageCategory) ?? NullLogger.Instance;
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Makes the file's schema current now rather than on first use.</summary>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>How many migrations were applied; 0 when the file was current (or this store had already made it so).</returns>
    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => EnsureSchemaAsync(cancellationToken);

    /// <summary>Releases the file: pooled connections to it are closed, so that it can be moved or deleted. The store may still be used after (it opens the file again).</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask AddAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckAdd(device, entry);
        return WriteAsync(
            "INSERT",
            "mg_device_registry",
            async (connection, transaction, token) =>
            {
                await InsertDeviceAsync(connection, transaction, device, token).ConfigureAwait(false);
                await InsertEntryAsync(connection, transaction, entry, token).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask AddManyAsync(IReadOnlyList<DeviceWrite> additions, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckAddMany(additions);
        return WriteAsync(
            "INSERT",
            "mg_device_registry",
            async (connection, transaction, token) =>
            {
                foreach (var (device, entry) in additions)
                {
                    await InsertDeviceAsync(connection, transaction, device, token).ConfigureAwait(false);
                    await InsertEntryAsync(connection, transaction, entry, token).ConfigureAwait(false);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask UpdateAsync(Device device, DeviceHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckUpdate(device, entry);
        return WriteAsync(
            "UPDATE",
            "mg_device_registry",
            async (connection, transaction, token) =>
            {
                var stored = await StoredAsync(connection, transaction, device.Id, token).ConfigureAwait(false);
                if (stored is null)
                {
                    throw new DeviceNotFoundException(device.Id);
                }

                if (stored.Value.Version != device.Version - 1)
                {
                    throw new DeviceConcurrencyException(device.Id, device.Version - 1, stored.Value.Version);
                }

                await ReplaceAsync(connection, transaction, device, entry, token).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeviceWriteOutcome>> UpdateManyAsync(IReadOnlyList<DeviceWrite> writes, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckBatch(writes);
        var outcomes = new DeviceWriteOutcome[writes.Count];
        await WriteAsync(
            "UPDATE",
            "mg_device_registry",
            async (connection, transaction, token) =>
            {
                // Decide every write before making any (the transaction holds the write lock), as the in-memory store does.
                for (var i = 0; i < writes.Count; i++)
                {
                    var device = writes[i].Device;
                    var stored = await StoredAsync(connection, transaction, device.Id, token).ConfigureAwait(false);
                    outcomes[i] = DeviceWriteDecision.Decide(device, stored?.Version, stored?.Name);
                }

                for (var i = 0; i < writes.Count; i++)
                {
                    if (outcomes[i] == DeviceWriteOutcome.Written)
                    {
                        await ReplaceAsync(connection, transaction, writes[i].Device, writes[i].Entry, token).ConfigureAwait(false);
                    }
                }
            },
            cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    /// <inheritdoc />
    public async ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        await QuerySingleAsync($"SELECT {DeviceColumns} FROM mg_device_registry WHERE id = $p0", [Text(id)], ReadDevice, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await QuerySingleAsync($"SELECT {DeviceColumns} FROM mg_device_registry WHERE name = $p0", [name], ReadDevice, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var clauses = new List<string>();
        var values = new List<object>();
        AddIn(clauses, values, "type", filter.Types);
        AddIn(clauses, values, "site", filter.Sites);
        AddIn(clauses, values, "state", [.. filter.States.Select(StateName)]);
        if (filter.Active is { } active)
        {
            clauses.Add($"active = $p{values.Count}");
            values.Add(active ? 1 : 0);
        }

        var where = clauses.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", clauses);
        var candidates = await QueryAsync($"SELECT {DeviceColumns} FROM mg_device_registry{where} ORDER BY name", [.. values], ReadDevice, cancellationToken).ConfigureAwait(false);
        return filter.Names.Count == 0 && filter.Metadata.Count == 0 ? candidates : [.. candidates.Where(filter.Matches)];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {HistoryColumns} FROM device_history WHERE device_id = $p0 ORDER BY version", [Text(deviceId)], ReadEntry, cancellationToken);

    /// <inheritdoc />
    public ValueTask AddGroupAsync(DeviceGroup group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return WriteAsync(
            "INSERT",
            "device_groups",
            (connection, transaction, token) => ExecuteAsync(
                connection,
                transaction,
                $"INSERT INTO device_groups ({GroupColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5)",
                [Text(group.Id), group.Name, group.Site, Name(group.GroupType), group.Metadata.Count == 0 ? DBNull.Value : group.Metadata.ToJsonString(), Ticks(group.CreatedAt)],
                token),
            cancellationToken,
            (table, column) => (table, column) switch
            {
                ("device_groups", "id") => new AlreadyExistsException("id", group.Id.ToString()),
                ("device_groups", "name") => new AlreadyExistsException("name", group.Name),
                _ => null,
            });
    }

    /// <inheritdoc />
    public async ValueTask<DeviceGroup?> GetGroupAsync(Guid id, CancellationToken cancellationToken = default) =>
        await QuerySingleAsync($"SELECT {GroupColumns} FROM device_groups WHERE id = $p0", [Text(id)], ReadGroup, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<DeviceGroup?> GetGroupByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return await QuerySingleAsync($"SELECT {GroupColumns} FROM device_groups WHERE name = $p0", [name], ReadGroup, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceGroup>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {GroupColumns} FROM device_groups ORDER BY name", [], ReadGroup, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> DeleteGroupAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var deleted = false;
        await WriteAsync(
            "DELETE",
            "device_groups",
            async (connection, transaction, token) =>
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM device_group_members WHERE group_id = $p0", [Text(id)], token).ConfigureAwait(false);
                deleted = await ExecuteAsync(connection, transaction, "DELETE FROM device_groups WHERE id = $p0", [Text(id)], token).ConfigureAwait(false) == 1;
            },
            cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <inheritdoc />
    public ValueTask SetMemberAsync(DeviceGroupMember member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        return WriteAsync(
            "INSERT",
            "device_group_members",
            async (connection, transaction, token) =>
            {
                var group = await ScalarAsync(connection, transaction, "SELECT count(*) FROM device_groups WHERE id = $p0", [Text(member.GroupId)], token).ConfigureAwait(false);
                if (group is 0L)
                {
                    throw new DeviceGroupNotFoundException(member.GroupId, "group_id");
                }

                var device = await StoredAsync(connection, transaction, member.DeviceId, token).ConfigureAwait(false);
                if (device is null)
                {
                    throw new DeviceNotFoundException(member.DeviceId, "device_id");
                }

                if (device.Value.State == DeviceState.Decommissioned)
                {
                    throw new DeviceValidationException("device_id", $"device {device.Value.Name} is decommissioned and cannot join a group");
                }

                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO device_group_members (group_id, device_id, role, priority) VALUES ($p0, $p1, $p2, $p3) " +
                    "ON CONFLICT (group_id, device_id) DO UPDATE SET role = excluded.role, priority = excluded.priority",
                    [Text(member.GroupId), Text(member.DeviceId), Name(member.Role), member.Priority],
                    token).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default)
    {
        var removed = false;
        await WriteAsync(
            "DELETE",
            "device_group_members",
            async (connection, transaction, token) => removed = await ExecuteAsync(
                connection,
                transaction,
                "DELETE FROM device_group_members WHERE group_id = $p0 AND device_id = $p1",
                [Text(groupId), Text(deviceId)],
                token).ConfigureAwait(false) == 1,
            cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default)
    {
        if (await GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new DeviceGroupNotFoundException(groupId);
        }

        return await QueryAsync(
            "SELECT m.group_id, m.device_id, m.role, m.priority FROM device_group_members m JOIN mg_device_registry d ON d.id = m.device_id " +
            "WHERE m.group_id = $p0 ORDER BY COALESCE(m.priority, 0), d.name",
            [Text(groupId)],
            ReadMember,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        QueryAsync(
            "SELECT m.group_id, m.device_id, m.role, m.priority FROM device_group_members m JOIN device_groups g ON g.id = m.group_id " +
            "WHERE m.device_id = $p0 ORDER BY g.name",
            [Text(deviceId)],
            ReadMember,
            cancellationToken);

    /// <inheritdoc />
    public ValueTask AppendHealthAsync(IReadOnlyList<DeviceHealthSample> samples, CancellationToken cancellationToken = default)
    {
        var stored = HealthSampleRules.NormalizeBatch(samples);
        if (stored.Length == 0)
        {
            return ValueTask.CompletedTask;
        }

        return WriteAsync(
            "INSERT",
            "device_health",
            async (connection, transaction, token) =>
            {
                foreach (var id in stored.Select(s => s.DeviceId).Distinct())
                {
                    if (await ScalarAsync(connection, transaction, "SELECT count(*) FROM mg_device_registry WHERE id = $p0", [Text(id)], token).ConfigureAwait(false) is 0L)
                    {
                        throw new DeviceNotFoundException(id);
                    }
                }

                using var insert = Command(connection, transaction, $"INSERT INTO device_health ({HealthColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)", new object[7]);
                foreach (var sample in stored)
                {
                    SetValues(insert, Text(sample.DeviceId), Ticks(sample.Timestamp), Name(sample.Status), (object?)sample.ResponseTimeMs ?? DBNull.Value, sample.ErrorCount, sample.LastSuccessfulPoll is { } last ? Ticks(last) : DBNull.Value, sample.Diagnostics is { } d ? JsonSerializer.Serialize(d) : DBNull.Value);
                    try
                    {
                        await insert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }
                    catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is 1555 or 2067)
                    {
                        throw HealthSampleRules.Taken(sample);
                    }
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        await QuerySingleAsync($"SELECT {HealthColumns} FROM device_health WHERE device_id = $p0 ORDER BY timestamp DESC LIMIT 1", [Text(deviceId)], ReadSample, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {HealthColumns} FROM device_health h WHERE timestamp = (SELECT max(timestamp) FROM device_health WHERE device_id = h.device_id)",
            [],
            ReadSample,
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {HealthColumns} FROM device_health WHERE device_id = $p0 AND timestamp >= $p1 AND timestamp < $p2 ORDER BY timestamp",
            [Text(deviceId), since.UtcTicks, until.UtcTicks],
            ReadSample,
            cancellationToken);

    /// <inheritdoc />
    public ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default)
    {
        var stored = TelemetryRules.NormalizeBatch(readings);
        if (stored.Length == 0)
        {
            return ValueTask.CompletedTask;
        }

        return WriteAsync(
            "INSERT",
            "device_telemetry",
            async (connection, transaction, token) =>
            {
                foreach (var id in stored.Select(r => r.DeviceId).Distinct())
                {
                    if (await ScalarAsync(connection, transaction, "SELECT count(*) FROM mg_device_registry WHERE id = $p0", [Text(id)], token).ConfigureAwait(false) is 0L)
                    {
                        throw new DeviceNotFoundException(id);
                    }
                }

                using var insert = Command(connection, transaction, $"INSERT INTO device_telemetry ({TelemetryColumns}) VALUES ($p0, $p1, $p2, $p3)", new object[4]);
                foreach (var reading in stored)
                {
                    SetValues(insert, Text(reading.DeviceId), Ticks(reading.Timestamp), reading.Point, reading.Value!.Value);
                    try
                    {
                        await insert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }
                    catch (SqliteException ex) when (ex.SqliteExtendedErrorCode is 1555 or 2067)
                    {
                        throw TelemetryRules.Taken(reading);
                    }
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default) =>
        ReadTelemetryAsync("device_telemetry", deviceId, points, since, until, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetArchivedHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {HealthColumns} FROM device_health_archive WHERE device_id = $p0 AND timestamp >= $p1 AND timestamp < $p2 ORDER BY timestamp",
            [Text(deviceId), since.UtcTicks, until.UtcTicks],
            ReadSample,
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TelemetryReading>> GetArchivedTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default) =>
        ReadTelemetryAsync("device_telemetry_archive", deviceId, points, since, until, cancellationToken);

    private ValueTask<IReadOnlyList<TelemetryReading>> ReadTelemetryAsync(
        string table,
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken)
    {
        var values = new List<object> { Text(deviceId), since.UtcTicks, until.UtcTicks };
        var sql = $"SELECT {TelemetryColumns} FROM {table} WHERE device_id = $p0 AND timestamp >= $p1 AND timestamp < $p2";
        if (points is { Count: > 0 })
        {
            var names = points.Distinct(StringComparer.Ordinal).ToList();
            sql += $" AND point IN ({string.Join(", ", names.Select((_, i) => $"$p{i + 3}"))})";
            values.AddRange(names);
        }

        return QueryAsync(sql + " ORDER BY timestamp, point", [.. values], ReadReading, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<int> DeleteExpiredAsync(RetainedSeries series, DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        RetentionArguments.Check(series, limit);
        var table = series == RetainedSeries.HealthSamples ? "device_health" : "device_telemetry";
        var deleted = 0;
        await WriteAsync(
            "DELETE",
            table,
            async (connection, transaction, token) => deleted = await ExecuteAsync(
                connection,
                transaction,
                $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE timestamp < $p0 ORDER BY timestamp LIMIT $p1)",
                [before.UtcTicks, limit],
                token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <inheritdoc />
    public ValueTask AddMaintenanceWindowAsync(MaintenanceWindow window, CancellationToken cancellationToken = default)
    {
        var stored = MaintenanceWindowRules.Normalize(window);
        return WriteAsync(
            "INSERT",
            "maintenance_windows",
            async (connection, transaction, token) =>
            {
                if (await ScalarAsync(connection, transaction, "SELECT count(*) FROM mg_device_registry WHERE id = $p0", [Text(stored.DeviceId)], token).ConfigureAwait(false) is 0L)
                {
                    throw new DeviceNotFoundException(stored.DeviceId, "device_id");
                }

                // The immediate transaction holds the write lock: no other writer adds a window between the check and the insert.
                using (var overlapping = Command(
                    connection,
                    transaction,
                    $"SELECT {WindowColumns} FROM maintenance_windows WHERE device_id = $p0 AND status IN ('scheduled', 'in_progress') AND starts_at < $p2 AND $p1 < ends_at ORDER BY starts_at LIMIT 1",
                    [Text(stored.DeviceId), Ticks(stored.Start), Ticks(stored.End)]))
                {
                    var found = await Storage.Internal.DataReaders.ReadAllAsync(await overlapping.ExecuteReaderAsync(token).ConfigureAwait(false), ReadWindow, token).ConfigureAwait(false);
                    if (found.Count > 0)
                    {
                        throw new MaintenanceWindowOverlapException(stored, found[0]);
                    }
                }

                await ExecuteAsync(
                    connection,
                    transaction,
                    $"INSERT INTO maintenance_windows ({WindowColumns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8)",
                    [Text(stored.Id), Text(stored.DeviceId), Ticks(stored.Start), Ticks(stored.End), stored.Reason, (object?)stored.Actor ?? DBNull.Value, Ticks(stored.CreatedAt), Name(stored.Status), (object?)stored.Note ?? DBNull.Value],
                    token).ConfigureAwait(false);
            },
            cancellationToken,
            (table, column) => (table, column) switch
            {
                ("maintenance_windows", "id") => new AlreadyExistsException("id", stored.Id.ToString()),
                _ => null,
            });
    }

    /// <inheritdoc />
    public async ValueTask<MaintenanceWindow?> GetMaintenanceWindowAsync(Guid id, CancellationToken cancellationToken = default) =>
        await QuerySingleAsync($"SELECT {WindowColumns} FROM maintenance_windows WHERE id = $p0", [Text(id)], ReadWindow, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MaintenanceWindow>> ListMaintenanceWindowsAsync(Guid? deviceId, bool openOnly, CancellationToken cancellationToken = default)
    {
        var clauses = new List<string>();
        var values = new List<object>();
        if (deviceId is { } device)
        {
            clauses.Add("device_id = $p0");
            values.Add(Text(device));
        }

        if (openOnly)
        {
            clauses.Add("status IN ('scheduled', 'in_progress')");
        }

        var where = clauses.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", clauses);
        return QueryAsync($"SELECT {WindowColumns} FROM maintenance_windows{where} ORDER BY starts_at, id", [.. values], ReadWindow, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<bool> SetMaintenanceWindowStatusAsync(Guid id, MaintenanceWindowStatus expected, MaintenanceWindowStatus status, string? note, CancellationToken cancellationToken = default)
    {
        MaintenanceWindowRules.CheckStatus(expected, nameof(expected));
        MaintenanceWindowRules.CheckStatus(status, nameof(status));
        var moved = false;
        await WriteAsync(
            "UPDATE",
            "maintenance_windows",
            async (connection, transaction, token) => moved = await ExecuteAsync(
                connection,
                transaction,
                "UPDATE maintenance_windows SET status = $p2, note = $p3 WHERE id = $p0 AND status = $p1",
                [Text(id), Name(expected), Name(status), (object?)note ?? DBNull.Value],
                token).ConfigureAwait(false) == 1,
            cancellationToken).ConfigureAwait(false);
        return moved;
    }
}
