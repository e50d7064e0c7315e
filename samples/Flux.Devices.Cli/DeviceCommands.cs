using System.CommandLine;
using System.Text.Json;
using Flux.Devices.Health;
using Flux.Devices.Maintenance;
using Flux.Devices.Templates;

namespace Flux.Devices.Cli;

/// <summary><c>flux devices ...</c>: list, show, register, update, decommission, history, archive, templates, health, maintenance, scan.</summary>
internal static class DeviceCommands
{
    public static Command Build(Cli cli)
    {
        var devices = new Command("devices", "Register, list, configure and watch devices.");
        var device = new Argument<string>("device") { Description = "The device's name or id." };

        var filter = new Option<string?>("--filter") { Description = "Only the devices this filter selects, such as \"type=bess,site=WLCE\" or \"metadata.manufacturer=PowerPack\"." };
        var list = new Command("list", "List devices, by name.") { filter };
        list.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var deviceFilter = DeviceFilter.Parse(result.GetValue(filter));
            await using var registry = await cli.OpenAsync(result, token);
            var found = await registry.Registry.ListAsync(deviceFilter, token);
            await (output.IsJson ? output.WriteJsonAsync(found) : output.WriteAsync(Views.Devices(found)));
            return FluxCli.Ok;
        }, token));

        var show = new Command("show", "Show one device, with its metadata.") { device };
        show.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            await using var registry = await cli.OpenAsync(result, token);
            var found = await registry.FindAsync(result.GetValue(device)!, token);
            await (output.IsJson ? output.WriteJsonAsync(found) : output.WriteAsync(Views.Device(found)));
            return FluxCli.Ok;
        }, token));

        var history = new Command("history", "Show a device's history, oldest first: every change and lifecycle move.") { device };
        history.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            await using var registry = await cli.OpenAsync(result, token);
            var found = await registry.FindAsync(result.GetValue(device)!, token);
            var entries = await registry.Registry.GetHistoryAsync(found.Id, token);
            await (output.IsJson ? output.WriteJsonAsync(entries) : output.WriteAsync(Views.History(entries)));
            return FluxCli.Ok;
        }, token));

        devices.Subcommands.Add(list);
        devices.Subcommands.Add(show);
        devices.Subcommands.Add(BuildRegister(cli));
        devices.Subcommands.Add(BuildUpdate(cli, device));
        devices.Subcommands.Add(BuildDecommission(cli, device));
        devices.Subcommands.Add(history);
        devices.Subcommands.Add(ArchiveCommand.Build(cli, device));
        devices.Subcommands.Add(TelemetryCommands.BuildTelemetry(cli, device));
        devices.Subcommands.Add(BuildApplyTemplate(cli));
        devices.Subcommands.Add(HealthCommand.Build(cli));
        devices.Subcommands.Add(ReadCommand.Build(cli, device));
        devices.Subcommands.Add(SunSpecCommand.Build(cli, device));
        devices.Subcommands.Add(RetryCommand.Build(cli, device));
        devices.Subcommands.Add(BuildMaintenance(cli, device));
        devices.Subcommands.Add(WriteCommand.Build(cli, device));
        devices.Subcommands.Add(ScanCommand.Build(cli));
        return devices;
    }

    private static Command BuildRegister(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The device's name, unique in the registry (WLCE-BESS-01)." };
        var type = new Option<string>("--type") { Description = "The device type: bess, meter, or one the host added.", Required = true };
        var site = new Option<string>("--site") { Description = "The site code (WLCE).", Required = true };
        var metadata = CliOptions.Json("--metadata", "The device's metadata, checked against its type's rules.");
        var inactive = new Option<bool>("--inactive") { Description = "Register it inactive: it is not polled until updated with --active true." };
        var register = new Command("register", "Register a device (state Registered). Its metadata is validated before anything is written.") { name, type, site, metadata, inactive };
        register.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var newDevice = new NewDevice
            {
                Name = result.GetValue(name)!,
                Type = result.GetValue(type)!,
                Site = result.GetValue(site)!,
                Metadata = await CliOptions.ReadMetadataAsync(result, metadata, token) ?? DeviceMetadata.Empty,
                Active = !result.GetValue(inactive),
            };
            await using var registry = await cli.OpenAsync(result, token, create: true);
            var registered = await registry.Registry.RegisterAsync(newDevice, "flux", token);
            await output.StatusAsync($"Registered {registered.Name} ({registered.Id}).");
            await (output.IsJson ? output.WriteJsonAsync(registered) : output.WriteAsync(Views.Device(registered)));
            return FluxCli.Ok;
        }, token));
        return register;
    }

    private static Command BuildUpdate(Cli cli, Argument<string> device)
    {
        var name = new Option<string?>("--name") { Description = "A new name." };
        var site = new Option<string?>("--site") { Description = "A new site." };
        var metadata = CliOptions.Json("--metadata", "Replaces the whole metadata.");
        var set = new Option<string[]>("--set") { Description = "Sets one metadata key: KEY=VALUE, the value read as JSON when it is JSON (500, true, \"x\"), else as text. Repeatable." };
        var unset = new Option<string[]>("--unset") { Description = "Removes one metadata key. Repeatable." };
        var active = CliOptions.TrueOrFalse("--active", "Whether the device is active (polled).");
        var expected = CliOptions.OptionalWhole("--expected-version", "Refuse the update unless the device is still at this version (as `devices show` printed it).", 1L, long.MaxValue);
        var update = new Command("update", "Change a device's name, site, metadata or active flag. The result is validated before it is written.") { device, name, site, metadata, set, unset, active, expected };
        update.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var replacement = await CliOptions.ReadMetadataAsync(result, metadata, token);
            var sets = (result.GetValue(set) ?? []).Select(ParseSet).ToList();
            var unsets = result.GetValue(unset) ?? [];
            await using var registry = await cli.OpenAsync(result, token);
            var current = await registry.FindAsync(result.GetValue(device)!, token);
            DeviceMetadata? newMetadata = null;
            if (replacement is not null || sets.Count > 0 || unsets.Length > 0)
            {
                newMetadata = replacement ?? current.Metadata;
                foreach (var (key, value) in sets)
                {
                    newMetadata = newMetadata.With(key, value);
                }

                foreach (var key in unsets)
                {
                    newMetadata = newMetadata.Without(key);
                }
            }

            var change = new DeviceUpdate { Name = result.GetValue(name), Site = result.GetValue(site), Metadata = newMetadata, Active = active.ValueIn(result) };
            if (change == new DeviceUpdate())
            {
                throw new UsageException("devices update: nothing to change; give --name, --site, --metadata, --set, --unset or --active.");
            }

            var updated = await registry.Registry.UpdateAsync(current.Id, result.GetValue(expected) ?? current.Version, change, "flux", token);
            await output.StatusAsync($"Updated {updated.Name}: version {updated.Version}.");
            await (output.IsJson ? output.WriteJsonAsync(updated) : output.WriteAsync(Views.Device(updated)));
            return FluxCli.Ok;
        }, token));
        return update;

        static (string Key, JsonElement Value) ParseSet(string text)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--set '{text}': expected KEY=VALUE.");
            }

            var value = text[(equals + 1)..];
            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(value);
                element = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                element = JsonSerializer.SerializeToElement(value, CliOutput.Compact);
            }

            return (text[..equals], element);
        }
    }

    private static Command BuildDecommission(Cli cli, Argument<string> device)
    {
        var reason = new Option<string?>("--reason") { Description = "Why, for the history." };
        var decommission = new Command("decommission", "Retire a device for good: it is never polled again and leaves its groups.") { device, reason };
        decommission.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            await using var registry = await cli.OpenAsync(result, token);
            var current = await registry.FindAsync(result.GetValue(device)!, token);
            var done = await registry.Registry.DecommissionAsync(current.Id, result.GetValue(reason), "flux", token);
            await output.StatusAsync($"{done.Name}: {current.State} -> {done.State}.");
            await (output.IsJson ? output.WriteJsonAsync(done) : output.WriteAsync(Views.Devices([done])));
            return FluxCli.Ok;
        }, token));
        return decommission;
    }

    private static Command BuildApplyTemplate(Cli cli)
    {
        var template = CliOptions.File("--template", "The template file (YAML, as the spec's templates/powerpack_bess.yaml).");
        template.Required = true;
        var filter = new Option<string>("--filter") { Description = "The devices, such as \"type=bess,site=WLCE\".", Required = true };
        var commit = new Option<bool>("--commit") { Description = "Apply the plan; without it, only print it (exit code 3 when it would change something)." };
        var apply = new Command("apply-template", "Apply a configuration template to the devices a filter selects: a dry run that prints the plan, or --commit.") { template, filter, commit };
        apply.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            if (string.IsNullOrWhiteSpace(result.GetValue(filter)))
            {
                throw new UsageException("--filter is empty: a template applies to the devices a filter selects (\"type=bess,site=WLCE\"), never to the whole registry by accident.");
            }

            var deviceFilter = DeviceFilter.Parse(result.GetValue(filter));
            await using var registry = await cli.OpenAsync(result, token);
            var loaded = await registry.Get<DeviceTemplateLoader>().LoadFileAsync(CliOptions.ResolveShipped(result.GetValue(template)!), token);
            var templates = registry.Get<IDeviceTemplateService>();
            var plan = await templates.PlanAsync(loaded, deviceFilter, token);
            if (output.IsJson)
            {
                await cli.Console.Output.WriteLineAsync(plan.ToJson());
            }
            else
            {
                await output.WriteAsync(Views.Plan(plan));
                await output.StatusAsync(Views.PlanSummary(plan));
            }

            if (!result.GetValue(commit))
            {
                return plan.ChangeCount > 0 ? FluxCli.DryRunHasChanges : FluxCli.Ok;
            }

            var done = await templates.CommitAsync(plan, "flux", token);
            await output.StatusAsync($"Committed: {done.Applied} device(s) changed, {done.Conflicts} changed meanwhile and left alone.");
            return done.Conflicts > 0 ? FluxCli.Failed : FluxCli.Ok;
        }, token));
        return apply;
    }

    private static Command BuildMaintenance(Cli cli, Argument<string> device)
    {
        var reason = new Option<string>("--reason") { Description = "Why (sent with the notification and kept in the history).", Required = true };
        var duration = new Option<string?>("--duration") { Description = "How long it is expected to take: 2h, 90m, PT2H." };
        var enter = new Command("enter", "Put a device in maintenance: polling stops and operators are notified.") { device, reason, duration };
        enter.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            TimeSpan? expected = null;
            if (result.GetValue(duration) is { } text)
            {
                expected = DurationText.TryParse(text, out var parsed) ? parsed : throw new UsageException($"--duration '{text}': not a duration (2h, 90m, PT2H).");
            }

            await using var registry = await cli.OpenAsync(result, token);
            var current = await registry.FindAsync(result.GetValue(device)!, token);
            var done = await registry.Get<IMaintenanceService>().EnterAsync(current.Id, result.GetValue(reason)!, expected, "flux", token);
            return await PrintMoveAsync(cli.OutputFor(result), current, done);
        }, token));

        var exit = new Command("exit", "Take a device out of maintenance: it goes to Testing, polling resumes, and its next good poll makes it Active.") { device };
        exit.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            await using var registry = await cli.OpenAsync(result, token);
            var current = await registry.FindAsync(result.GetValue(device)!, token);
            var done = await registry.Get<IMaintenanceService>().ExitAsync(current.Id, "flux", token);
            return await PrintMoveAsync(cli.OutputFor(result), current, done);
        }, token));

        var maintenance = new Command("maintenance", "Maintenance mode: no polling while a device is worked on; now (enter, exit) or in scheduled windows (schedule, list, cancel, run).") { enter, exit };
        foreach (var command in MaintenanceScheduleCommands.Build(cli, device))
        {
            maintenance.Subcommands.Add(command);
        }

        return maintenance;

        static async Task<int> PrintMoveAsync(CliOutput output, Device before, Device after)
        {
            await output.StatusAsync($"{after.Name}: {before.State} -> {after.State}.");
            await (output.IsJson ? output.WriteJsonAsync(after) : output.WriteAsync(Views.Devices([after])));
            return FluxCli.Ok;
        }
    }
}
