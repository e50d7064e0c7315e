using Flux.Devices.Postgres.Internal;
using Flux.Devices.Storage;
using Flux.Devices.Storage.Internal;
using Npgsql;
using NpgsqlTypes;

namespace Flux.Devices.Postgres;

/// <summary>
/// Leases and fencing (<see cref="IDeviceLeaseStore"/>), in <c>monitor_instances</c>, <c>device_leases</c> and the
/// <c>lease_token_seq</c> sequence: each operation is one statement or one batch, so one round trip.
/// </summary>
/// <remarks>
/// Lease times are on the database server's clock (<c>now()</c>), so that hosts need not agree on the time; a store
/// given a <see cref="TimeProvider"/> other than the system's (a test's fake clock) uses that one instead.
/// </remarks>
internal sealed partial class PostgresDeviceStore : IDeviceLeaseStore
{
    private const string InstanceColumns = "i.id, i.name, i.filter, i.started_at, i.heartbeat_at, i.expires_at";

    private static readonly string[] PollableStates = [.. new[] { DeviceState.Configured, DeviceState.Testing, DeviceState.Active, DeviceState.Failed }.Select(Sql.Name)];

    private string Leases => $"{Sql.Quote(_options.Schema)}.device_leases";

    private string Instances => $"{Sql.Quote(_options.Schema)}.monitor_instances";

    private string TokenSequence => $"{Sql.Quote(_options.Schema)}.lease_token_seq";

    /// <inheritdoc />
    public async ValueTask<DeviceLeaseRenewal> RenewAsync(MonitorInstance instance, TimeSpan leaseTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentException.ThrowIfNullOrWhiteSpace(instance.Name, nameof(instance));
        CheckLeaseTime(leaseTime);
        return await WriteAsync(
            "UPDATE",
            "device_leases",
            async (connection, transaction, token) =>
            {
                // No explicit transaction (WriteAsync's implicitTransaction): the batch's four statements go with one Sync,
                // so PostgreSQL runs them in one implicit transaction; the renewal and the instances' count see the
                // heartbeat, and a failure of any leaves nothing of the others.
                using var batch = new NpgsqlBatch(connection, transaction);
                var beat = new NpgsqlBatchCommand(
                    $"INSERT INTO {Instances} AS i (id, name, filter, started_at, heartbeat_at, expires_at) " +
                    "VALUES ($1, $2, $3, COALESCE($4::timestamptz, now()), COALESCE($4::timestamptz, now()), COALESCE($4::timestamptz, now()) + $5) " +
                    "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, filter = EXCLUDED.filter, heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at, stopped_at = NULL");
                beat.Parameters.Add(new NpgsqlParameter { Value = instance.Id });
                beat.Parameters.Add(new NpgsqlParameter { Value = instance.Name });
                beat.Parameters.Add(new NpgsqlParameter { Value = (object?)instance.Filter ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                beat.Parameters.Add(Now());
                beat.Parameters.Add(new NpgsqlParameter { Value = leaseTime, NpgsqlDbType = NpgsqlDbType.Interval });
                batch.BatchCommands.Add(beat);

                // Every lease still in the instance's name, expired or not: one no one took over kept its token, so
                // nothing was written under another owner meanwhile.
                var renew = new NpgsqlBatchCommand($"UPDATE {Leases} SET expires_at = COALESCE($2::timestamptz, now()) + $3 WHERE owner = $1 RETURNING device_id, token");
                renew.Parameters.Add(new NpgsqlParameter { Value = instance.Id });
                renew.Parameters.Add(Now());
                renew.Parameters.Add(new NpgsqlParameter { Value = leaseTime, NpgsqlDbType = NpgsqlDbType.Interval });
                batch.BatchCommands.Add(renew);

                var live = new NpgsqlBatchCommand(LiveInstancesSql(1));
                live.Parameters.Add(Now());
                batch.BatchCommands.Add(live);

                // Instances gone for a day are forgotten.
                var prune = new NpgsqlBatchCommand($"DELETE FROM {Instances} WHERE expires_at < COALESCE($1::timestamptz, now()) - interval '1 day'");
                prune.Parameters.Add(Now());
                batch.BatchCommands.Add(prune);

                var reader = await batch.ExecuteReaderAsync(token).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                var held = new List<DeviceLease>();
                // The heartbeat returns no rows, so it has no result: the first is the renewal's.
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    held.Add(new DeviceLease(reader.GetGuid(0), reader.GetInt64(1)));
                }

                await reader.NextResultAsync(token).ConfigureAwait(false);
                var instances = new List<MonitorInstanceStatus>();
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    instances.Add(ReadInstance(reader));
                }

                return new DeviceLeaseRenewal { Held = held, Instances = instances };
            },
            static (_, _) => null,
            cancellationToken,
            implicitTransaction: true).ConfigureAwait(false); // one batch, one implicit transaction, one round trip; repeating it is harmless
    }

    /// <inheritdoc />
    /// <remarks>
    /// One statement: the candidates (matching, pollable, with no lease or an expired one) are locked with
    /// <c>FOR NO KEY UPDATE SKIP LOCKED</c>, so that claimers at the same moment take different devices, and upserted
    /// into <c>device_leases</c>; the upsert takes a device only while its lease is still expired when it gets the row
    /// (a claimer that got there first wins), and gives it a new token unless it goes back to its last owner.
    /// </remarks>
    public async ValueTask<IReadOnlyList<DeviceLease>> ClaimAsync(Guid instanceId, DeviceFilter scope, int limit, TimeSpan leaseTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        CheckLeaseTime(leaseTime);
        return await WriteAsync<IReadOnlyList<DeviceLease>>(
            "INSERT",
            "device_leases",
            async (connection, transaction, token) =>
            {
                using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
                command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
                command.Parameters.Add(Now());
                command.Parameters.Add(new NpgsqlParameter { Value = leaseTime, NpgsqlDbType = NpgsqlDbType.Interval });
                command.Parameters.Add(new NpgsqlParameter { Value = limit });
                command.Parameters.Add(new NpgsqlParameter { Value = PollableStates, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                var where = FilterSql.Where(scope, command); // its columns are the registry's only: device_leases has none of them
                command.CommandText =
                    "WITH candidates AS (" +
                    $"SELECT d.id FROM {_devices} d LEFT JOIN {Leases} l ON l.device_id = d.id " +
                    $"WHERE d.active AND d.state = ANY($5) AND (l.device_id IS NULL OR l.expires_at <= COALESCE($2::timestamptz, now())) AND ({where}) " +
                    "ORDER BY l.device_id IS NOT NULL, d.id LIMIT $4 FOR NO KEY UPDATE OF d SKIP LOCKED) " +
                    $"INSERT INTO {Leases} AS x (device_id, owner, token, acquired_at, expires_at) " +
                    $"SELECT id, $1, nextval('{TokenSequence}'), COALESCE($2::timestamptz, now()), COALESCE($2::timestamptz, now()) + $3 FROM candidates " +
                    "ON CONFLICT (device_id) DO UPDATE SET owner = EXCLUDED.owner, " +
                    "token = CASE WHEN x.owner = EXCLUDED.owner THEN x.token ELSE EXCLUDED.token END, " +
                    "acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at " +
                    "WHERE x.expires_at <= COALESCE($2::timestamptz, now()) " +
                    "RETURNING device_id, token";
                return await DataReaders.ReadAllAsync(
                    await command.ExecuteReaderAsync(token).ConfigureAwait(false),
                    static reader => new DeviceLease(reader.GetGuid(0), reader.GetInt64(1)),
                    token).ConfigureAwait(false);
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> ReleaseAsync(Guid instanceId, IReadOnlyCollection<Guid>? deviceIds, CancellationToken cancellationToken = default)
    {
        if (deviceIds is { Count: 0 })
        {
            return 0;
        }

        return await WriteAsync(
            "DELETE",
            "device_leases",
            async (connection, transaction, token) =>
            {
                using var command = new NpgsqlCommand($"DELETE FROM {Leases} WHERE owner = $1" + (deviceIds is null ? string.Empty : " AND device_id = ANY($2)"), connection, transaction);
                command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
                if (deviceIds is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = deviceIds.ToArray() });
                }

                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask StopInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default) =>
        await WriteAsync(
            "DELETE",
            "device_leases",
            async (connection, transaction, token) =>
            {
                using var batch = new NpgsqlBatch(connection, transaction);
                var release = new NpgsqlBatchCommand($"DELETE FROM {Leases} WHERE owner = $1");
                release.Parameters.Add(new NpgsqlParameter { Value = instanceId });
                batch.BatchCommands.Add(release);
                var stop = new NpgsqlBatchCommand($"UPDATE {Instances} SET stopped_at = COALESCE($2::timestamptz, now()), expires_at = COALESCE($2::timestamptz, now()) WHERE id = $1");
                stop.Parameters.Add(new NpgsqlParameter { Value = instanceId });
                stop.Parameters.Add(Now());
                batch.BatchCommands.Add(stop);
                await batch.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                return true;
            },
            static (_, _) => null,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MonitorInstanceStatus>> ListInstancesAsync(CancellationToken cancellationToken = default) =>
        QueryAsync(
            command =>
            {
                command.Parameters.Add(Now());
                return LiveInstancesSql(1);
            },
            ReadInstance,
            cancellationToken);

    /// <summary>
    /// Checks the fence of the current flow (<see cref="DeviceLeaseFence"/>) for the devices a write touches, in the
    /// write's transaction, before the write: the leases whose token is still current are locked <c>FOR SHARE</c> until
    /// the transaction ends, so that no claim can change their owner before the write commits; a device whose token is no
    /// longer current refuses the whole write.
    /// </summary>
    /// <exception cref="LeaseLostException">A fenced device's token is no longer current; the caller's transaction is rolled back.</exception>
    private async Task CheckFenceAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<Guid> deviceIds, CancellationToken cancellationToken)
    {
        var fenced = DeviceLeaseFence.For(deviceIds);
        if (fenced.Count == 0)
        {
            return;
        }

        using var command = new NpgsqlCommand(
            $"SELECT l.device_id FROM {Leases} l JOIN unnest($1::uuid[], $2::bigint[]) AS f(device_id, token) " +
            "ON l.device_id = f.device_id AND l.token = f.token ORDER BY l.device_id FOR SHARE OF l",
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = fenced.Select(f => f.DeviceId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = fenced.Select(f => f.Token).ToArray() });
        var current = new HashSet<Guid>(await DataReaders.ReadAllAsync(await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false), static reader => reader.GetGuid(0), cancellationToken).ConfigureAwait(false));
        if (current.Count < fenced.Count)
        {
            throw new LeaseLostException([.. fenced.Select(f => f.DeviceId).Where(id => !current.Contains(id))]);
        }
    }

    private string LiveInstancesSql(int now) =>
        $"SELECT {InstanceColumns}, (SELECT count(*)::int FROM {Leases} l WHERE l.owner = i.id AND l.expires_at > COALESCE(${now}::timestamptz, now())) " +
        $"FROM {Instances} i WHERE i.stopped_at IS NULL AND i.expires_at > COALESCE(${now}::timestamptz, now()) ORDER BY i.name COLLATE \"C\", i.id";

    private static MonitorInstanceStatus ReadInstance(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetGuid(0),
        Name = reader.GetString(1),
        Filter = reader.IsDBNull(2) ? null : reader.GetString(2),
        StartedAt = reader.GetFieldValue<DateTimeOffset>(3),
        HeartbeatAt = reader.GetFieldValue<DateTimeOffset>(4),
        ExpiresAt = reader.GetFieldValue<DateTimeOffset>(5),
        DevicesHeld = reader.GetInt32(6),
    };

    /// <summary>The time leases are reckoned from: the server's (<c>NULL</c>, so <c>now()</c>) unless the store was given a clock of its own.</summary>
    private NpgsqlParameter Now() => new()
    {
        Value = _time == TimeProvider.System ? DBNull.Value : Internal.Sql.ToMicroseconds(_time.GetUtcNow()),
        NpgsqlDbType = NpgsqlDbType.TimestampTz,
    };

    private static void CheckLeaseTime(TimeSpan leaseTime)
    {
        if (leaseTime <= TimeSpan.Zero || leaseTime > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(leaseTime), leaseTime, "A lease time must be more than zero and at most 1 day.");
        }
    }
}
