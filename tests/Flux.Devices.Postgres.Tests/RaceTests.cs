using Flux.Devices.Groups;
using Flux.Devices.Postgres.Tests.Support;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// Writes that wait on a row lock held by another process's membership write: once the lock is released, they must see
/// that membership. The other process is a raw transaction, held open until the store's statement is seen waiting.
/// </summary>
public sealed class RaceTests(PostgresServer server) : SchemaTestBed(server, "races")
{
    [Fact]
    public async Task Decommissioning_WhileAMembershipIsBeingAdded_LeavesTheDeviceInNoGroup()
    {
        var registry = Services.GetRequiredService<IDeviceRegistry>();
        var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        var group = await Services.GetRequiredService<IDeviceGroupService>().CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control }, cancellationToken: Cancel);

        await using var other = await OpenOtherAsync();
        await using var transaction = await other.BeginTransactionAsync(Cancel);
        await ExecuteAsync(other, transaction, $"SELECT 1 FROM {Schema}.mg_device_registry WHERE id = '{device.Id}' FOR SHARE");
        await ExecuteAsync(other, transaction, $"INSERT INTO {Schema}.device_group_members (group_id, device_id, role, priority) VALUES ('{group.Id}', '{device.Id}', 'primary', 1)");
        var decommission = registry.DecommissionAsync(device.Id, "Removed", cancellationToken: Cancel).AsTask();
        await Server.WaitUntilABackendWaitsOnALockAsync(Schema);
        await transaction.CommitAsync(Cancel);
        await decommission.WaitAsync(TimeSpan.FromSeconds(30), Cancel);

        Assert.Empty(await Store.ListMembershipsAsync(device.Id, Cancel));
    }

    [Fact]
    public async Task DeletingAGroup_WhileAMembershipIsBeingAdded_DeletesItAndTheMembership()
    {
        var device = await Services.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), cancellationToken: Cancel);
        var groups = Services.GetRequiredService<IDeviceGroupService>();
        var group = await groups.CreateAsync(new NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = DeviceGroupType.Control }, cancellationToken: Cancel);

        await using var other = await OpenOtherAsync();
        await using var transaction = await other.BeginTransactionAsync(Cancel);
        await ExecuteAsync(other, transaction, $"SELECT 1 FROM {Schema}.device_groups WHERE id = '{group.Id}' FOR SHARE");
        await ExecuteAsync(other, transaction, $"INSERT INTO {Schema}.device_group_members (group_id, device_id, role, priority) VALUES ('{group.Id}', '{device.Id}', 'primary', 1)");
        var delete = Store.DeleteGroupAsync(group.Id, Cancel).AsTask();
        await Server.WaitUntilABackendWaitsOnALockAsync(Schema);
        await transaction.CommitAsync(Cancel);

        Assert.True(await delete.WaitAsync(TimeSpan.FromSeconds(30), Cancel));
        Assert.Null(await Store.GetGroupAsync(group.Id, Cancel));
        Assert.Empty(await Store.ListMembershipsAsync(device.Id, Cancel));
    }

    private async Task<NpgsqlConnection> OpenOtherAsync()
    {
        var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync(Cancel);
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
