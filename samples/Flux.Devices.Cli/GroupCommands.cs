using System.CommandLine;
using Flux.Devices.Groups;

namespace Flux.Devices.Cli;

/// <summary><c>flux groups create|add|remove|list|show</c>: device groups and their members' roles and priorities.</summary>
internal static class GroupCommands
{
    public static Command Build(Cli cli)
    {
        var group = new Argument<string>("group") { Description = "The group's name or id." };
        var device = new Argument<string>("device") { Description = "The device's name or id." };

        var name = new Argument<string>("name") { Description = "The group's name, unique in the registry." };
        var site = new Option<string>("--site") { Description = $"The site code, or {DeviceGroup.AllSites} for a fleet-wide group.", Required = true };
        var type = CliOptions.Enum("--type", "What the group is for.", DeviceGroupType.Control);
        var metadata = CliOptions.Json("--metadata", "The group's metadata.");
        var create = new Command("create", "Create a device group.") { name, site, type, metadata };
        create.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var newGroup = new NewDeviceGroup
            {
                Name = result.GetValue(name)!,
                Site = result.GetValue(site)!,
                GroupType = type.ValueIn(result),
                Metadata = await CliOptions.ReadMetadataAsync(result, metadata, token) ?? DeviceMetadata.Empty,
            };
            await using var registry = await cli.OpenAsync(result, token, create: true);
            var created = await registry.Get<IDeviceGroupService>().CreateAsync(newGroup, token);
            await output.StatusAsync($"Created group {created.Name} ({created.Id}).");
            await (output.IsJson ? output.WriteJsonAsync(created) : output.WriteAsync(Views.Groups([(created, 0)])));
            return FluxCli.Ok;
        }, token));

        var role = CliOptions.Enum("--role", "The device's role in the group.", GroupMemberRole.Primary);
        var priority = CliOptions.Whole("--priority", "Its priority in the group (lower first).", 0, int.MaxValue, defaultValue: 0);
        var add = new Command("add", "Add a device to a group, or change its role and priority there.") { group, device, role, priority };
        add.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            await using var registry = await cli.OpenAsync(result, token);
            var groups = registry.Get<IDeviceGroupService>();
            var found = await FindAsync(registry, groups, result.GetValue(group)!, token);
            var member = await registry.FindAsync(result.GetValue(device)!, token);
            var added = await groups.AddMemberAsync(found.Id, member.Id, role.ValueIn(result), result.GetValue(priority), token);
            await output.StatusAsync($"{member.Name} is in {found.Name} as {added.Role}, priority {added.Priority}.");
            await (output.IsJson ? output.WriteJsonAsync(added) : output.WriteAsync(Views.Members([(added, member)])));
            return FluxCli.Ok;
        }, token));

        var remove = new Command("remove", "Take a device out of a group.") { group, device };
        remove.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            await using var registry = await cli.OpenAsync(result, token);
            var groups = registry.Get<IDeviceGroupService>();
            var found = await FindAsync(registry, groups, result.GetValue(group)!, token);
            var member = await registry.FindAsync(result.GetValue(device)!, token);
            if (!await groups.RemoveMemberAsync(found.Id, member.Id, token))
            {
                await cli.Console.Error.WriteLineAsync($"flux: {member.Name} is not in {found.Name}.");
                return FluxCli.Failed;
            }

            await cli.Console.Error.WriteLineAsync($"{member.Name} left {found.Name}.");
            return FluxCli.Ok;
        }, token));

        var list = new Command("list", "List the groups, with how many members each has.");
        list.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            await using var registry = await cli.OpenAsync(result, token);
            var groups = registry.Get<IDeviceGroupService>();
            var all = await groups.ListAsync(token);
            var counted = new List<(DeviceGroup Group, int Members)>();
            foreach (var g in all)
            {
                counted.Add((g, (await groups.ListMembersAsync(g.Id, token)).Count));
            }

            await (output.IsJson ? output.WriteJsonAsync(counted.Select(c => new { c.Group.Id, c.Group.Name, c.Group.Site, group_type = c.Group.GroupType, c.Group.Metadata, c.Group.CreatedAt, c.Members })) : output.WriteAsync(Views.Groups(counted)));
            return FluxCli.Ok;
        }, token));

        var show = new Command("show", "Show a group's members, by priority.") { group };
        show.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            await using var registry = await cli.OpenAsync(result, token);
            var groups = registry.Get<IDeviceGroupService>();
            var found = await FindAsync(registry, groups, result.GetValue(group)!, token);
            var members = new List<(DeviceGroupMember Member, Device Device)>();
            foreach (var member in await groups.ListMembersAsync(found.Id, token))
            {
                members.Add((member, (await registry.Registry.GetAsync(member.DeviceId, token))!));
            }

            await (output.IsJson
                ? output.WriteJsonAsync(new { found.Id, found.Name, found.Site, group_type = found.GroupType, members = members.Select(m => new { device_id = m.Device.Id, device = m.Device.Name, m.Member.Role, m.Member.Priority, state = m.Device.State }) })
                : output.WriteAsync(Views.Members(members)));
            return FluxCli.Ok;
        }, token));

        return new Command("groups", "Device groups: control, monitoring or analysis sets of devices, with roles and priorities.") { create, add, remove, list, show };
    }

    private static async Task<DeviceGroup> FindAsync(OpenRegistry registry, IDeviceGroupService groups, string nameOrId, CancellationToken cancellationToken)
    {
        var group = (Guid.TryParse(nameOrId, out var id) ? await groups.GetAsync(id, cancellationToken) : await groups.GetByNameAsync(nameOrId, cancellationToken))
            ?? throw new DeviceGroupNotFoundException(nameOrId);
        registry.Typed[group.Id] = nameOrId;
        return group;
    }
}
