using System.Text.Json;
using Flux.Devices.Diagnostics;
using Flux.Devices.Groups;
using Flux.Devices.Health;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Postgres.Internal;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Flux.Devices.Postgres;

/// <summary>
/// An <see cref="IDeviceStore"/> on PostgreSQL, in the spec's tables (<c>flux.mg_device_registry</c>,
/// <c>flux.device_groups</c>, <c>flux.device_group_members</c>, <c>flux.device_health</c>) plus the change history and
/// telemetry (<c>flux.device_telemetry</c>).
/// Several processes may share one database: every write is a transaction, updates are compare-and-set on the version
/// column, and names are unique by constraint.
/// </summary>
/// <remarks>
/// <para>
/// Create the schema with <see cref="MigrateAsync"/> (or <c>ApplySchemaOnStartup()</c> on the builder). Rows written by
/// other tools, such as the spec's <c>INSERT</c> examples, read back as devices in <see cref="DeviceState.Registered"/>
/// at version 1, without a history entry.
/// </para>
/// <para>
/// Failures that another try may cure (a serialization failure, a deadlock, a lost connection) are retried up to
/// <see cref="PostgresStoreOptions.TransientRetries"/> times with a doubling wait, unless they happened while committing
/// (the outcome is then unknown and the error is raised). Constraint violations are never retried: they become the
/// same exceptions the in-memory store raises.
/// </para>
/// </remarks>
internal sealed partial class PostgresDeviceStore : IDeviceStore, IDeviceStoreSchema, IRetentionStore, IDeviceArchiveStore, IMaintenanceScheduleStore
{
    private const string DeviceColumns = "id, name, type, site, metadata, active, state, version, created_at, updated_at";
    private const string HistoryColumns = "device_id, version, kind, from_state, to_state, trigger, changed_fields, reason, actor, timestamp, control";
    private const string GroupColumns = "id, name, site, group_type, metadata, created_at";
    private const string HealthColumns = "device_id, timestamp, status, response_time_ms, error_count, last_successful_poll, diagnostics";
    private const string TelemetryColumns = "device_id, timestamp, point, value";

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _devices;
    private readonly string _history;
    private readonly string _groups;
    private readonly string _members;
    private readonly string _health;
    private readonly string _telemetry;
    private readonly string _healthArchive;
    private readonly string _telemetryArchive;
    private readonly string _windows;

    /// <summary>Initializes a new instance of the <see cref="PostgresDeviceStore"/> class.</summary>
    /// <param name="dataSource">The data source (the connection pool); the caller keeps ownership.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (schema <c>flux</c>).</param>
    /// <param name="timeProvider">The clock for retry waits; <see langword="null"/> for the system clock.</param>
    /// <param name="loggerFactory">Where retries are logged; <see langword="null"/> for nowhere.</param>
    /// <exception cref="ArgumentException">The schema name is not a plain lower-case identifier.</exception>
    public PostgresDeviceStore(NpgsqlDataSource dataSource, PostgresStoreOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _options = options ?? new PostgresStoreOptions();
        if (!System.Text.RegularExpressions.Regex.IsMatch(_options.Schema, @"\A[a-z_][a-z0-9_]{0,62}\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant))
        {
            throw new ArgumentException($"'{_options.Schema}' is not a schema name this store accepts: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.", nameof(options));
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger(FluxDevicesDiagnostics.StorageCategory) ?? NullLogger.Instance;
        var schema = Sql.Quote(_options.Schema);
        _devices = $"{schema}.mg_device_registry";
        _history = $"{schema}.device_history";
        _groups = $"{schema}.device_groups";
        _members = $"{schema}.device_group_members";
        _health = $"{schema}.device_health";
        _telemetry = $"{schema}.device_telemetry";
        _healthArchive = $"{schema}.device_health_archive";
        _telemetryArchive = $"{schema}.device_telemetry_archive";
        _windows = $"{schema}.maintenance_windows";
    }

    /// <summary>Gets the schema the store's tables are in.</summary>
    public string Schema => _options.Schema;

    /// <summary>
    /// Creates or upgrades the store's schema: reads the version it is at first and, only when it is behind, applies
    /// each embedded migration not applied yet, in one transaction, under an advisory lock, so that processes starting
    /// together apply each once. A current schema is neither locked nor changed, so a role with no more than
    /// <c>SELECT</c>, <c>INSERT</c>, <c>UPDATE</c> and <c>DELETE</c> on the tables can call this on every start.
    /// </summary>
    /// <param name="cancellationToken">Cancels the migration (nothing is applied).</param>
    /// <returns>How many migrations were applied; 0 when the schema was current.</returns>
    /// <exception cref="DeviceStoreSchemaException">The schema is behind and the role may not migrate it.</exception>
    /// <exception cref="DeviceStoreUnavailableException">PostgreSQL could not be reached after the store's retries.</exception>
    /// <remarks>Connection failures are retried as every call of the store is (a server still starting, a restart).</remarks>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = await RunAsync((connection, _, token) => SchemaMigrator.AppliedVersionAsync(connection, _options.Schema, token), static (_, _) => null, cancellationToken, readOnly: true).ConfigureAwait(false);
        if (applied >= SchemaMigrator.LatestVersion)
        {
            return 0;
        }

        try
        {
            return await RunAsync((connection, transaction, token) => SchemaMigrator.MigrateAsync(connection, transaction!, _options.Schema, token), static (_, _) => null, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new DeviceStoreSchemaException(_options.Schema, applied, SchemaMigrator.LatestVersion, await CurrentRoleAsync(cancellationToken).ConfigureAwait(false), ex);
        }
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
                using var command = new NpgsqlCommand(
                    $"WITH added AS (INSERT INTO {_devices} ({DeviceColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id) " +
                    $"INSERT INTO {_history} ({HistoryColumns}) SELECT $1, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20 FROM added",
                    connection,
                    transaction);
                AddDevice(command, device);
                AddEntry(command, entry);
                await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return true;
            },
            (constraint, inner) => constraint switch
            {
                "mg_device_registry_pkey" => new AlreadyExistsException("id", device.Id.ToString(), inner),
                "mg_device_registry_name_key" => new AlreadyExistsException("name", device.Name, inner),
                _ => null,
            },
            cancellationToken).AsValueTaskWithoutResult();
    }

    /// <inheritdoc />
    /// <remarks>The devices and their entries go in by binary <c>COPY</c>, in one transaction.</remarks>
    public ValueTask AddManyAsync(IReadOnlyList<DeviceWrite> additions, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckAddMany(additions);
        if (additions.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        return WriteAsync(
            "COPY",
            "mg_device_registry",
            async (connection, transaction, token) =>
            {
                // Name the first taken id or name, as the in-memory store does; the constraints still hold against a race.
                using (var taken = new NpgsqlCommand($"SELECT id, name, id = ANY($1) FROM {_devices} WHERE id = ANY($1) OR name = ANY($2) LIMIT 1", connection, transaction))
                {
                    taken.Parameters.Add(new NpgsqlParameter { Value = additions.Select(a => a.Device.Id).ToArray() });
                    taken.Parameters.Add(new NpgsqlParameter { Value = additions.Select(a => a.Device.Name).ToArray() });
                    var reader = await taken.ExecuteReaderAsync(token).ConfigureAwait(false);
                    await using var readerScope = reader.ConfigureAwait(false);
                    if (await reader.ReadAsync(token).ConfigureAwait(false))
                    {
                        throw reader.GetBoolean(2)
                            ? new AlreadyExistsException("id", reader.GetGuid(0).ToString())
                            : new AlreadyExistsException("name", reader.GetString(1));
                    }
                }

                await CopyDevicesAsync(connection, additions, token).ConfigureAwait(false);
                await CopyEntriesAsync(connection, additions, token).ConfigureAwait(false);
                return true;
            },
            (constraint, inner) => constraint switch
            {
                "mg_device_registry_pkey" => new AlreadyExistsException("id", "an id of the batch", inner),
                "mg_device_registry_name_key" => new AlreadyExistsException("name", "a name of the batch", inner),
                _ => null,
            },
            cancellationToken).AsValueTaskWithoutResult();
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
                await CheckFenceAsync(connection, transaction, [device.Id], token).ConfigureAwait(false);
                using var command = new NpgsqlCommand(
                    $"WITH updated AS (UPDATE {_devices} SET name = $2, type = $3, site = $4, metadata = $5, active = $6, state = $7, version = $8, updated_at = $10 " +
                    "WHERE id = $1 AND version = $8 - 1 RETURNING id), " +
                    $"history AS (INSERT INTO {_history} ({HistoryColumns}) SELECT $1, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20 FROM updated) " +
                    "SELECT count(*) FROM updated",
                    connection,
                    transaction);
                AddDevice(command, device);
                AddEntry(command, entry);
                if ((long)(await command.ExecuteScalarAsync(token).ConfigureAwait(false))! == 1)
                {
                    if (device.State == DeviceState.Decommissioned)
                    {
                        // A statement of its own: its snapshot sees a membership committed while the update waited for the row.
                        // So do the moves to the archive: a sample committed while the update waited is moved too.
                        using var leave = new NpgsqlBatch(connection, transaction);
                        var members = new NpgsqlBatchCommand($"DELETE FROM {_members} WHERE device_id = ANY($1)");
                        members.Parameters.Add(new NpgsqlParameter { Value = new[] { device.Id } });
                        leave.BatchCommands.Add(members);
                        AddArchiveMoves(leave, [device.Id]);
                        await leave.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }

                    return true;
                }

                var stored = await StoredVersionAsync(connection, transaction, device.Id, token).ConfigureAwait(false);
                throw stored is null
                    ? new DeviceNotFoundException(device.Id)
                    : new DeviceConcurrencyException(device.Id, device.Version - 1, stored);
            },
            (constraint, inner) => constraint == "mg_device_registry_name_key" ? new AlreadyExistsException("name", device.Name, inner) : null,
            cancellationToken).AsValueTaskWithoutResult();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeviceWriteOutcome>> UpdateManyAsync(IReadOnlyList<DeviceWrite> writes, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckBatch(writes);
        if (writes.Count == 0)
        {
            return [];
        }

        return await WriteAsync<IReadOnlyList<DeviceWriteOutcome>>(
            "UPDATE",
            "mg_device_registry",
            async (connection, transaction, token) =>
            {
                // Lock the rows, decide every write, then write the current ones in one batch of three statements.
                await CheckFenceAsync(connection, transaction, writes.Select(w => w.Device.Id), token).ConfigureAwait(false);
                var current = new Dictionary<Guid, (long Version, string Name)>(writes.Count);
                using (var select = new NpgsqlCommand($"SELECT id, version, name FROM {_devices} WHERE id = ANY($1) ORDER BY id FOR UPDATE", connection, transaction))
                {
                    select.Parameters.Add(new NpgsqlParameter { Value = writes.Select(w => w.Device.Id).ToArray() });
                    var reader = await select.ExecuteReaderAsync(token).ConfigureAwait(false);
                    await using var readerScope = reader.ConfigureAwait(false);
                    while (await reader.ReadAsync(token).ConfigureAwait(false))
                    {
                        current[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetString(2));
                    }
                }

                var outcomes = new DeviceWriteOutcome[writes.Count];
                var written = new List<DeviceWrite>(writes.Count);
                for (var i = 0; i < writes.Count; i++)
                {
                    var device = writes[i].Device;
                    var found = current.TryGetValue(device.Id, out var stored);
                    outcomes[i] = DeviceWriteDecision.Decide(device, found ? stored.Version : null, stored.Name);
                    if (outcomes[i] == DeviceWriteOutcome.Written)
                    {
                        written.Add(writes[i]);
                    }
                }

                if (written.Count > 0)
                {
                    await WriteBatchAsync(connection, transaction, written, token).ConfigureAwait(false);
                }

                return outcomes;
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<Device?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {DeviceColumns} FROM {_devices} WHERE id = $1", id, ReadDevice, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Device?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return QuerySingleAsync($"SELECT {DeviceColumns} FROM {_devices} WHERE name = $1", name, ReadDevice, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Device>> ListAsync(DeviceFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return QueryAsync(
            command => $"SELECT {DeviceColumns} FROM {_devices} WHERE {FilterSql.Where(filter, command)} ORDER BY name COLLATE \"C\"",
            ReadDevice,
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHistoryEntry>> GetHistoryAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        QueryAsync(command => Bind(command, $"SELECT {HistoryColumns} FROM {_history} WHERE device_id = $1 ORDER BY version", deviceId), ReadEntry, cancellationToken);

    /// <inheritdoc />
    public ValueTask AddGroupAsync(DeviceGroup group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return WriteAsync(
            "INSERT",
            "device_groups",
            async (connection, transaction, token) =>
            {
                using var command = new NpgsqlCommand($"INSERT INTO {_groups} ({GroupColumns}) VALUES ($1, $2, $3, $4, $5, $6)", connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = group.Id });
                command.Parameters.Add(new NpgsqlParameter { Value = group.Name });
                command.Parameters.Add(new NpgsqlParameter { Value = group.Site });
                command.Parameters.Add(new NpgsqlParameter { Value = Sql.Name(group.GroupType) });
                command.Parameters.Add(new NpgsqlParameter { Value = group.Metadata.Count == 0 ? DBNull.Value : group.Metadata.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
                command.Parameters.Add(new NpgsqlParameter { Value = group.CreatedAt });
                await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return true;
            },
            (constraint, inner) => constraint switch
            {
                "device_groups_pkey" => new AlreadyExistsException("id", group.Id.ToString(), inner),
                "device_groups_name_key" => new AlreadyExistsException("name", group.Name, inner),
                _ => null,
            },
            cancellationToken).AsValueTaskWithoutResult();
    }

    /// <inheritdoc />
    public ValueTask<DeviceGroup?> GetGroupAsync(Guid id, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {GroupColumns} FROM {_groups} WHERE id = $1", id, ReadGroup, cancellationToken);

    /// <inheritdoc />
    public ValueTask<DeviceGroup?> GetGroupByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return QuerySingleAsync($"SELECT {GroupColumns} FROM {_groups} WHERE name = $1", name, ReadGroup, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceGroup>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(_ => $"SELECT {GroupColumns} FROM {_groups} ORDER BY name COLLATE \"C\"", ReadGroup, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> DeleteGroupAsync(Guid id, CancellationToken cancellationToken = default) =>
        await WriteAsync(
            "DELETE",
            "device_groups",
            async (connection, transaction, token) =>
            {
                // Lock the group first (a concurrent SetMemberAsync holds it FOR SHARE until its member is in), then delete its
                // members and itself in statements of their own, whose snapshots see that member.
                using var batch = new NpgsqlBatch(connection, transaction);
                foreach (var sql in new[] { $"SELECT 1 FROM {_groups} WHERE id = $1 FOR UPDATE", $"DELETE FROM {_members} WHERE group_id = $1", $"DELETE FROM {_groups} WHERE id = $1" })
                {
                    var statement = new NpgsqlBatchCommand(sql);
                    statement.Parameters.Add(new NpgsqlParameter { Value = id });
                    batch.BatchCommands.Add(statement);
                }

                await batch.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return batch.BatchCommands[2].RecordsAffected == 1;
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask SetMemberAsync(DeviceGroupMember member, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(member);
        return WriteAsync(
            "INSERT",
            "device_group_members",
            async (connection, transaction, token) =>
            {
                // The group first (as the contract orders the errors); the device's row is locked until the membership is in.
                using (var check = new NpgsqlCommand(
                    $"SELECT EXISTS (SELECT 1 FROM {_groups} WHERE id = $1 FOR SHARE), (SELECT state FROM {_devices} WHERE id = $2 FOR SHARE), (SELECT name FROM {_devices} WHERE id = $2)",
                    connection,
                    transaction))
                {
                    check.Parameters.Add(new NpgsqlParameter { Value = member.GroupId });
                    check.Parameters.Add(new NpgsqlParameter { Value = member.DeviceId });
                    var reader = await check.ExecuteReaderAsync(token).ConfigureAwait(false);
                    await using var readerScope = reader.ConfigureAwait(false);
                    await reader.ReadAsync(token).ConfigureAwait(false);
                    if (!reader.GetBoolean(0))
                    {
                        throw new DeviceGroupNotFoundException(member.GroupId, "group_id");
                    }

                    if (reader.IsDBNull(1))
                    {
                        throw new DeviceNotFoundException(member.DeviceId, "device_id");
                    }

                    if (Sql.Parse<DeviceState>(reader.GetString(1)) == DeviceState.Decommissioned)
                    {
                        throw new DeviceValidationException("device_id", $"device {reader.GetString(2)} is decommissioned and cannot join a group");
                    }
                }

                using var upsert = new NpgsqlCommand(
                    $"INSERT INTO {_members} (group_id, device_id, role, priority) VALUES ($1, $2, $3, $4) " +
                    "ON CONFLICT (group_id, device_id) DO UPDATE SET role = EXCLUDED.role, priority = EXCLUDED.priority",
                    connection,
                    transaction);
                upsert.Parameters.Add(new NpgsqlParameter { Value = member.GroupId });
                upsert.Parameters.Add(new NpgsqlParameter { Value = member.DeviceId });
                upsert.Parameters.Add(new NpgsqlParameter { Value = Sql.Name(member.Role) });
                upsert.Parameters.Add(new NpgsqlParameter { Value = member.Priority });
                await upsert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return true;
            },
            (constraint, inner) => constraint == "device_group_members_group_id_fkey" ? new DeviceGroupNotFoundException(member.GroupId, "group_id", inner) : null,
            cancellationToken).AsValueTaskWithoutResult();
    }

    /// <inheritdoc />
    public async ValueTask<bool> RemoveMemberAsync(Guid groupId, Guid deviceId, CancellationToken cancellationToken = default) =>
        await WriteAsync(
            "DELETE",
            "device_group_members",
            async (connection, transaction, token) =>
            {
                using var command = new NpgsqlCommand($"DELETE FROM {_members} WHERE group_id = $1 AND device_id = $2", connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = groupId });
                command.Parameters.Add(new NpgsqlParameter { Value = deviceId });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembersAsync(Guid groupId, CancellationToken cancellationToken = default)
    {
        // One statement: a group row with no member gives one row of nulls; no row at all means no group.
        var rows = await QueryAsync(
            command => Bind(
                command,
                $"SELECT m.group_id, m.device_id, m.role, m.priority FROM {_groups} g " +
                $"LEFT JOIN ({_members} m JOIN {_devices} d ON d.id = m.device_id) ON m.group_id = g.id " +
                "WHERE g.id = $1 ORDER BY COALESCE(m.priority, 0), d.name COLLATE \"C\"",
                groupId),
            reader => reader.IsDBNull(0) ? null : ReadMember(reader),
            cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? throw new DeviceGroupNotFoundException(groupId) : [.. rows.OfType<DeviceGroupMember>()];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceGroupMember>> ListMembershipsAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        QueryAsync(
            command => Bind(
                command,
                $"SELECT m.group_id, m.device_id, m.role, m.priority FROM {_members} m JOIN {_groups} g ON g.id = m.group_id " +
                "WHERE m.device_id = $1 ORDER BY g.name COLLATE \"C\"",
                deviceId),
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
            "COPY",
            "device_health",
            async (connection, transaction, token) =>
            {
                // One statement: the foreign key checks the devices; only a refused batch asks which device is unknown
                // (a check before every COPY cost a round trip and an index probe per device on the monitor's path).
                // Under a lease fence, the tokens are checked (and their leases locked) first, in this transaction.
                await CheckFenceAsync(connection, transaction, stored.Select(s => s.DeviceId), token).ConfigureAwait(false);
                try
                {
                    await CopySamplesAsync(connection, stored, token).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation && ex.ConstraintName == "device_health_device_id_fkey")
                {
                    await transaction!.RollbackAsync(token).ConfigureAwait(false);
                    if (await FirstUnknownDeviceAsync(connection, [.. stored.Select(s => s.DeviceId).Distinct()], token).ConfigureAwait(false) is { } unknown)
                    {
                        throw new DeviceNotFoundException(unknown);
                    }

                    throw;
                }

                return true;
            },
            (constraint, inner) => constraint switch
            {
                "device_health_pkey" => new AlreadyExistsException("timestamp", "a device already has a sample at a timestamp of the batch", inner),
                "device_health_device_id_fkey" => new DeviceNotFoundException(stored[0].DeviceId, "device_id", inner),
                _ => null,
            },
            cancellationToken).AsValueTaskWithoutResult();
    }

    /// <inheritdoc />
    public ValueTask<DeviceHealthSample?> GetLatestHealthAsync(Guid deviceId, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {HealthColumns} FROM {_health} WHERE device_id = $1 ORDER BY timestamp DESC LIMIT 1", deviceId, ReadSample, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> ListLatestHealthAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(
            _ => $"SELECT h.* FROM {_devices} d CROSS JOIN LATERAL (SELECT {HealthColumns} FROM {_health} WHERE device_id = d.id ORDER BY timestamp DESC LIMIT 1) AS h",
            ReadSample,
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        HealthRangeAsync(_health, deviceId, since, until, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// One binary <c>COPY</c> in one transaction: every row or none. The readings are checked first and written straight
    /// out, without copies; the primary key refuses a duplicate (in the batch or stored), the foreign key an unknown
    /// device, and only a refused batch asks which device it was.
    /// </remarks>
    public ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readings);
        TelemetryReading? first = null;
        for (var i = 0; i < readings.Count; i++)
        {
            if (TelemetryRules.IsStored(readings[i], nameof(readings)))
            {
                first ??= readings[i];
            }
        }

        if (first is null)
        {
            return ValueTask.CompletedTask;
        }

        var stored = readings;

        return WriteAsync(
            "COPY",
            "device_telemetry",
            async (connection, transaction, token) =>
            {
                await CheckFenceAsync(connection, transaction, stored.Where(r => r.Value is not null).Select(r => r.DeviceId), token).ConfigureAwait(false);
                try
                {
                    await CopyTelemetryAsync(connection, stored, token).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation && ex.ConstraintName == "device_telemetry_device_id_fkey")
                {
                    await transaction!.RollbackAsync(token).ConfigureAwait(false);
                    if (await FirstUnknownDeviceAsync(connection, [.. stored.Where(r => r.Value is not null).Select(r => r.DeviceId).Distinct()], token).ConfigureAwait(false) is { } unknown)
                    {
                        throw new DeviceNotFoundException(unknown);
                    }

                    throw;
                }

                return true;
            },
            (constraint, inner) => constraint switch
            {
                "device_telemetry_pkey" => new AlreadyExistsException("timestamp", "a device already has a reading of a point at a timestamp of the batch", inner),
                "device_telemetry_device_id_fkey" => new DeviceNotFoundException(first.DeviceId, "device_id", inner),
                _ => null,
            },
            cancellationToken).AsValueTaskWithoutResult();
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default) =>
        TelemetryRangeAsync(_telemetry, deviceId, points, since, until, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeviceHealthSample>> GetArchivedHealthAsync(Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        HealthRangeAsync(_healthArchive, deviceId, since, until, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<TelemetryReading>> GetArchivedTelemetryAsync(
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken = default) =>
        TelemetryRangeAsync(_telemetryArchive, deviceId, points, since, until, cancellationToken);

    /// <summary>A device's health samples in a time range of a table (hot or archive), oldest first.</summary>
    private ValueTask<IReadOnlyList<DeviceHealthSample>> HealthRangeAsync(string table, Guid deviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken) =>
        QueryAsync(
            command =>
            {
                AddRange(command, deviceId, since, until);
                return $"SELECT {HealthColumns} FROM {table} WHERE device_id = $1 AND timestamp >= $2 AND timestamp < $3 ORDER BY timestamp";
            },
            ReadSample,
            cancellationToken);

    /// <summary>A device's readings in a time range of a table (hot or archive), oldest first, then by point.</summary>
    private ValueTask<IReadOnlyList<TelemetryReading>> TelemetryRangeAsync(
        string table,
        Guid deviceId,
        IReadOnlyCollection<string>? points,
        DateTimeOffset since,
        DateTimeOffset until,
        CancellationToken cancellationToken) =>
        QueryAsync(
            command =>
            {
                AddRange(command, deviceId, since, until);
                var sql = $"SELECT {TelemetryColumns} FROM {table} WHERE device_id = $1 AND timestamp >= $2 AND timestamp < $3";
                if (points is { Count: > 0 })
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = points.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                    sql += " AND point = ANY($4)";
                }

                return sql + " ORDER BY timestamp, point";
            },
            ReadReading,
            cancellationToken);

    /// <summary>
    /// Adds a device and a time range as $1..$3. Rows are kept to the microsecond: a bound between two microseconds
    /// selects as the in-memory store does.
    /// </summary>
    private static void AddRange(NpgsqlCommand command, Guid deviceId, DateTimeOffset since, DateTimeOffset until)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = deviceId });
        command.Parameters.Add(new NpgsqlParameter { Value = CeilingMicrosecond(since), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = CeilingMicrosecond(until), NpgsqlDbType = NpgsqlDbType.TimestampTz });
    }

    /// <summary>
    /// Adds the moves of decommissioned devices' health samples and telemetry to the archive tables: one statement per
    /// table, a <c>DELETE ... RETURNING</c> feeding the <c>INSERT</c>, so that the rows deleted are exactly the rows
    /// archived (one snapshot). A row the archive already holds keeps the archived one.
    /// </summary>
    private void AddArchiveMoves(NpgsqlBatch batch, Guid[] devices)
    {
        foreach (var (hot, archive, columns, key) in new[]
        {
            (_health, _healthArchive, HealthColumns, "device_id, timestamp"),
            (_telemetry, _telemetryArchive, TelemetryColumns, "device_id, timestamp, point"),
        })
        {
            var move = new NpgsqlBatchCommand(
                $"WITH moved AS (DELETE FROM {hot} WHERE device_id = ANY($1) RETURNING {columns}) " +
                $"INSERT INTO {archive} ({columns}) SELECT {columns} FROM moved ON CONFLICT ({key}) DO NOTHING");
            move.Parameters.Add(new NpgsqlParameter { Value = devices });
            batch.BatchCommands.Add(move);
        }
    }

    private async Task CopyTelemetryAsync(NpgsqlConnection connection, IReadOnlyList<TelemetryReading> stored, CancellationToken token)
    {
        var import = await connection.BeginBinaryImportAsync($"COPY {_telemetry} ({TelemetryColumns}) FROM STDIN (FORMAT BINARY)", token).ConfigureAwait(false);
        await using var importScope = import.ConfigureAwait(false);
        for (var i = 0; i < stored.Count; i++)
        {
            var reading = stored[i];
            if (reading.Value is not { } value)
            {
                continue; // not available: not stored
            }

            await import.StartRowAsync(token).ConfigureAwait(false);
            await import.WriteAsync(reading.DeviceId, NpgsqlDbType.Uuid, token).ConfigureAwait(false);
            await import.WriteAsync(StoredTime.ToMicroseconds(reading.Timestamp), NpgsqlDbType.TimestampTz, token).ConfigureAwait(false);
            await import.WriteAsync(reading.Point, NpgsqlDbType.Text, token).ConfigureAwait(false);
            await import.WriteAsync(value, NpgsqlDbType.Double, token).ConfigureAwait(false);
        }

        await import.CompleteAsync(token).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>DELETE</c> of the oldest rows by primary key, found through the timestamp index (on a hypertable, in its
    /// oldest chunks); a real TimescaleDB could drop whole chunks instead (<c>add_retention_policy</c>), which this store
    /// does not do: it keeps one way for plain PostgreSQL and TimescaleDB.
    /// </remarks>
    public async ValueTask<int> DeleteExpiredAsync(RetainedSeries series, DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
    {
        RetentionArguments.Check(series, limit);
        var (table, name, key) = series == RetainedSeries.HealthSamples
            ? (_health, "device_health", "device_id, timestamp")
            : (_telemetry, "device_telemetry", "device_id, timestamp, point");
        return await WriteAsync(
            "DELETE",
            name,
            async (connection, transaction, token) =>
            {
                using var command = new NpgsqlCommand(
                    $"DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE timestamp < $1 ORDER BY timestamp LIMIT $2)",
                    connection,
                    transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = CeilingMicrosecond(before), NpgsqlDbType = NpgsqlDbType.TimestampTz });
                command.Parameters.Add(new NpgsqlParameter { Value = limit });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task CopySamplesAsync(NpgsqlConnection connection, DeviceHealthSample[] stored, CancellationToken token)
    {
        var import = await connection.BeginBinaryImportAsync($"COPY {_health} ({HealthColumns}) FROM STDIN (FORMAT BINARY)", token).ConfigureAwait(false);
        await using var importScope = import.ConfigureAwait(false);
        foreach (var sample in stored)
        {
            await import.StartRowAsync(token).ConfigureAwait(false);
            await import.WriteAsync(sample.DeviceId, NpgsqlDbType.Uuid, token).ConfigureAwait(false);
            await import.WriteAsync(sample.Timestamp, NpgsqlDbType.TimestampTz, token).ConfigureAwait(false);
            await import.WriteAsync(Sql.Name(sample.Status), NpgsqlDbType.Text, token).ConfigureAwait(false);
            await WriteNullableAsync(import, sample.ResponseTimeMs, NpgsqlDbType.Integer, token).ConfigureAwait(false);
            await import.WriteAsync(sample.ErrorCount, NpgsqlDbType.Integer, token).ConfigureAwait(false);
            await WriteNullableAsync(import, sample.LastSuccessfulPoll, NpgsqlDbType.TimestampTz, token).ConfigureAwait(false);
            if (sample.Diagnostics is { } diagnostics)
            {
                await import.WriteAsync(JsonSerializer.Serialize(diagnostics), NpgsqlDbType.Jsonb, token).ConfigureAwait(false);
            }
            else
            {
                await import.WriteNullAsync(token).ConfigureAwait(false);
            }
        }

        await import.CompleteAsync(token).ConfigureAwait(false);
    }

    /// <summary>The first device of the batch with no row, if any (after a foreign key violation, to name it).</summary>
    private async Task<Guid?> FirstUnknownDeviceAsync(NpgsqlConnection connection, Guid[] devices, CancellationToken token)
    {
        using var check = new NpgsqlCommand(
            $"SELECT u.id FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n) WHERE NOT EXISTS (SELECT 1 FROM {_devices} d WHERE d.id = u.id) ORDER BY u.n LIMIT 1",
            connection);
        check.Parameters.Add(new NpgsqlParameter { Value = devices });
        return await check.ExecuteScalarAsync(token).ConfigureAwait(false) as Guid?;
    }

    private async Task WriteBatchAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, List<DeviceWrite> written, CancellationToken cancellationToken)
    {
        var devices = written.Select(w => w.Device).ToList();
        var entries = written.Select(w => w.Entry).ToList();
        using var batch = new NpgsqlBatch(connection, transaction);
        var update = new NpgsqlBatchCommand(
            $"UPDATE {_devices} AS d SET type = u.type, site = u.site, metadata = u.metadata, active = u.active, state = u.state, version = u.version, updated_at = u.updated_at " +
            "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::boolean[], $6::text[], $7::bigint[], $8::timestamptz[]) " +
            "AS u(id, type, site, metadata, active, state, version, updated_at) WHERE d.id = u.id");
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => d.Id).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => d.Type).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => d.Site).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => d.Metadata.ToJsonString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => d.Active).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => Sql.Name(d.State)).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => d.Version).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = devices.Select(d => d.UpdatedAt).ToArray() });
        batch.BatchCommands.Add(update);

        var history = new NpgsqlBatchCommand(
            $"INSERT INTO {_history} ({HistoryColumns}) " +
            "SELECT u.device_id, u.version, u.kind, u.from_state, u.to_state, u.trigger, ARRAY(SELECT jsonb_array_elements_text(u.changed_fields)), u.reason, u.actor, u.timestamp, u.control " +
            "FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[], $10::timestamptz[], $11::jsonb[]) " +
            "AS u(device_id, version, kind, from_state, to_state, trigger, changed_fields, reason, actor, timestamp, control)");
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.DeviceId).ToArray() });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Version).ToArray() });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => Sql.Name(e.Kind)).ToArray() });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.FromState is { } s ? Sql.Name(s) : null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => Sql.Name(e.ToState)).ToArray() });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Trigger is { } t ? Sql.Name(t) : null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => JsonSerializer.Serialize(e.ChangedFields)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Reason).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Actor).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Timestamp).ToArray() });
        history.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => ControlJson(e.Control)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        batch.BatchCommands.Add(history);

        var decommissioned = devices.Where(d => d.State == DeviceState.Decommissioned).Select(d => d.Id).ToArray();
        if (decommissioned.Length > 0)
        {
            var leave = new NpgsqlBatchCommand($"DELETE FROM {_members} WHERE device_id = ANY($1)");
            leave.Parameters.Add(new NpgsqlParameter { Value = decommissioned });
            batch.BatchCommands.Add(leave);
            AddArchiveMoves(batch, decommissioned);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The device's row is locked first (<c>FOR NO KEY UPDATE</c>): of two writers adding windows of one device, the second waits and then sees the first's window.</remarks>
    public ValueTask AddMaintenanceWindowAsync(MaintenanceWindow window, CancellationToken cancellationToken = default)
    {
        var stored = MaintenanceWindowRules.Normalize(window);
        return WriteAsync(
            "INSERT",
            "maintenance_windows",
            async (connection, transaction, token) =>
            {
                using (var device = new NpgsqlCommand($"SELECT 1 FROM {_devices} WHERE id = $1 FOR NO KEY UPDATE", connection, transaction))
                {
                    device.Parameters.Add(new NpgsqlParameter { Value = stored.DeviceId });
                    if (await device.ExecuteScalarAsync(token).ConfigureAwait(false) is null)
                    {
                        throw new DeviceNotFoundException(stored.DeviceId, "device_id");
                    }
                }

                using (var overlapping = new NpgsqlCommand(
                    $"SELECT {WindowColumns} FROM {_windows} WHERE device_id = $1 AND status IN ('scheduled', 'in_progress') AND starts_at < $3 AND $2 < ends_at ORDER BY starts_at LIMIT 1",
                    connection,
                    transaction))
                {
                    overlapping.Parameters.Add(new NpgsqlParameter { Value = stored.DeviceId });
                    overlapping.Parameters.Add(new NpgsqlParameter { Value = stored.Start, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    overlapping.Parameters.Add(new NpgsqlParameter { Value = stored.End, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    var found = await Storage.Internal.DataReaders.ReadAllAsync(await overlapping.ExecuteReaderAsync(token).ConfigureAwait(false), ReadWindow, token).ConfigureAwait(false);
                    if (found.Count > 0)
                    {
                        throw new MaintenanceWindowOverlapException(stored, found[0]);
                    }
                }

                using var insert = new NpgsqlCommand($"INSERT INTO {_windows} ({WindowColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", connection, transaction);
                insert.Parameters.Add(new NpgsqlParameter { Value = stored.Id });
                insert.Parameters.Add(new NpgsqlParameter { Value = stored.DeviceId });
                insert.Parameters.Add(new NpgsqlParameter { Value = stored.Start, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                insert.Parameters.Add(new NpgsqlParameter { Value = stored.End, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                insert.Parameters.Add(new NpgsqlParameter { Value = stored.Reason });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)stored.Actor ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = stored.CreatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                insert.Parameters.Add(new NpgsqlParameter { Value = Storage.EnumText.Name(stored.Status) });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)stored.Note ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                return await insert.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            (constraint, inner) => constraint switch
            {
                "maintenance_windows_pkey" => new AlreadyExistsException("id", stored.Id.ToString(), inner),
                "maintenance_windows_device_id_fkey" => new DeviceNotFoundException(stored.DeviceId, "device_id", inner),
                _ => null,
            },
            cancellationToken).AsValueTaskWithoutResult();
    }

    /// <inheritdoc />
    public ValueTask<MaintenanceWindow?> GetMaintenanceWindowAsync(Guid id, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {WindowColumns} FROM {_windows} WHERE id = $1", id, ReadWindow, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MaintenanceWindow>> ListMaintenanceWindowsAsync(Guid? deviceId, bool openOnly, CancellationToken cancellationToken = default) =>
        QueryAsync(
            command =>
            {
                var clauses = new List<string>();
                if (deviceId is { } device)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = device });
                    clauses.Add("device_id = $1");
                }

                if (openOnly)
                {
                    clauses.Add("status IN ('scheduled', 'in_progress')");
                }

                var where = clauses.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", clauses);
                return $"SELECT {WindowColumns} FROM {_windows}{where} ORDER BY starts_at, id";
            },
            ReadWindow,
            cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> SetMaintenanceWindowStatusAsync(Guid id, MaintenanceWindowStatus expected, MaintenanceWindowStatus status, string? note, CancellationToken cancellationToken = default)
    {
        MaintenanceWindowRules.CheckStatus(expected, nameof(expected));
        MaintenanceWindowRules.CheckStatus(status, nameof(status));
        return await WriteAsync(
            "UPDATE",
            "maintenance_windows",
            async (connection, transaction, token) =>
            {
                using var command = new NpgsqlCommand($"UPDATE {_windows} SET status = $3, note = $4 WHERE id = $1 AND status = $2", connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = id });
                command.Parameters.Add(new NpgsqlParameter { Value = Storage.EnumText.Name(expected) });
                command.Parameters.Add(new NpgsqlParameter { Value = Storage.EnumText.Name(status) });
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)note ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);
    }
}
