using System.Diagnostics;
using System.Text.Json;
using Flux.Devices.Diagnostics;
using Flux.Devices.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Templates;

/// <summary>
/// Plans and commits templates through the registry, which validates and writes. A plan (a dry run) and a commit are
/// each traced (<see cref="PlanActivityName"/>, <see cref="CommitActivityName"/>) and logged under
/// <see cref="FluxDevicesDiagnostics.TemplatesCategory"/>.
/// </summary>
internal sealed class DeviceTemplateService : IDeviceTemplateService
{
    public const string PlanActivityName = "flux.devices.template.plan";
    public const string CommitActivityName = "flux.devices.template.commit";
    public const string TemplateNameTag = "flux.template.name";
    public const string DeviceCountTag = "flux.template.devices";
    public const string DryRunTag = "flux.template.dry_run";
    public const string AppliedTag = "flux.template.applied";
    public const string RefusedTag = "flux.template.refused";
    public const string ConflictsTag = "flux.template.conflicts";

    private readonly DeviceRegistry _registry;
    private readonly ILogger _logger;

    public DeviceTemplateService(DeviceRegistry registry, ILoggerFactory? loggerFactory = null)
    {
        _registry = registry;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.TemplatesCategory);
    }

    public async ValueTask<TemplatePlan> PlanAsync(DeviceTemplate deviceTemplate, DeviceFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deviceTemplate);
        var template = deviceTemplate;
        ArgumentNullException.ThrowIfNull(filter);
        using var activity = Start(PlanActivityName, template, dryRun: true);
        try
        {
            var plan = await PlanCoreAsync(template, filter, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(DeviceCountTag, plan.Items.Count);
            Log.TemplatePlanned(_logger, template.Name, plan.Items.Count, plan.ChangeCount);
            return plan;
        }
        catch (Exception ex)
        {
            FluxActivities.Fail(activity, ex);
            throw;
        }
    }

    public async ValueTask<TemplateResult> CommitAsync(TemplatePlan plan, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var activity = Start(CommitActivityName, plan.Template, dryRun: false);
        activity?.SetTag(DeviceCountTag, plan.Items.Count);
        try
        {
            var result = await CommitCoreAsync(plan, actor, cancellationToken).ConfigureAwait(false);
            var refused = result.Items.Count(i => i.Outcome == TemplateOutcome.Refused);
            activity?.SetTag(AppliedTag, result.Applied);
            activity?.SetTag(RefusedTag, refused);
            activity?.SetTag(ConflictsTag, result.Conflicts);
            Log.TemplateCommitted(_logger, plan.Template.Name, plan.Items.Count, actor, result.Applied, refused, result.Conflicts);
            return result;
        }
        catch (Exception ex)
        {
            FluxActivities.Fail(activity, ex);
            throw;
        }
    }

    private static Activity? Start(string name, DeviceTemplate template, bool dryRun)
    {
        var activity = FluxActivities.Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(TemplateNameTag, template.Name);
        activity?.SetTag(DryRunTag, dryRun);
        return activity;
    }

    private async ValueTask<TemplatePlan> PlanCoreAsync(DeviceTemplate template, DeviceFilter filter, CancellationToken cancellationToken)
    {
        var devices = await _registry.ListAsync(filter, cancellationToken).ConfigureAwait(false);
        // The block is checked and copied once (by With), then shared by every device's new metadata.
        var blockElement = DeviceMetadata.Empty.With(DeviceConfiguration.MetadataKey, template.Configuration.ToMetadata())[DeviceConfiguration.MetadataKey];
        var block = new Block(blockElement, DeviceMetadata.EntryByteCount(DeviceConfiguration.MetadataKey, blockElement));
        var items = new TemplatePlanItem[devices.Count];
        for (var i = 0; i < devices.Count; i++)
        {
            items[i] = Plan(template, devices[i], block);
        }

        return new TemplatePlan(template, filter, items);
    }

    private async ValueTask<TemplateResult> CommitCoreAsync(TemplatePlan plan, string? actor, CancellationToken cancellationToken)
    {
        var changes = new List<(Device Planned, DeviceMetadata Metadata)>();
        foreach (var item in plan.Items)
        {
            if (item is { Action: TemplatePlanAction.Configure or TemplatePlanAction.Update, NewMetadata: { } metadata })
            {
                changes.Add((item.Device, metadata));
            }
        }

        var outcomes = await _registry.DeployAsync(changes, $"template {plan.Template.Name}", actor, cancellationToken).ConfigureAwait(false);
        var results = new TemplateResultItem[plan.Items.Count];
        var next = 0;
        for (var i = 0; i < plan.Items.Count; i++)
        {
            var item = plan.Items[i];
            var device = item.Device;
            results[i] = item.Action switch
            {
                TemplatePlanAction.Skip => new TemplateResultItem { DeviceId = device.Id, DeviceName = device.Name, Outcome = TemplateOutcome.Skipped, Device = null, Reason = item.Reason },
                TemplatePlanAction.Unchanged => new TemplateResultItem { DeviceId = device.Id, DeviceName = device.Name, Outcome = TemplateOutcome.Unchanged, Device = device, Reason = null },
                _ => Result(device, outcomes[next++]),
            };
        }

        return new TemplateResult { Items = results };
    }

    private static TemplateResultItem Result(Device planned, DeploymentOutcome outcome) => outcome switch
    {
        { Error: { } error } => new TemplateResultItem { DeviceId = planned.Id, DeviceName = planned.Name, Outcome = TemplateOutcome.Refused, Device = null, Reason = error },
        { Outcome: DeviceWriteOutcome.Written } => new TemplateResultItem { DeviceId = planned.Id, DeviceName = planned.Name, Outcome = TemplateOutcome.Applied, Device = outcome.Written, Reason = null },
        { Outcome: DeviceWriteOutcome.NotFound } => new TemplateResultItem { DeviceId = planned.Id, DeviceName = planned.Name, Outcome = TemplateOutcome.Conflict, Device = null, Reason = "the device was removed after the plan was made" },
        _ => new TemplateResultItem { DeviceId = planned.Id, DeviceName = planned.Name, Outcome = TemplateOutcome.Conflict, Device = null, Reason = $"the device changed after the plan was made (it was at version {planned.Version}); plan again" },
    };

    private static TemplatePlanItem Plan(DeviceTemplate template, Device device, Block block)
    {
        if (SkipReason(template, device) is { } reason)
        {
            return new TemplatePlanItem { Device = device, Action = TemplatePlanAction.Skip, Reason = reason };
        }

        var changes = device.Metadata.TryGetValue(DeviceConfiguration.MetadataKey, out var current)
            ? Differences(current, block.Element)
            : [DeviceConfiguration.MetadataKey];
        if (device.State == DeviceState.Registered)
        {
            return new TemplatePlanItem
            {
                Device = device,
                Action = TemplatePlanAction.Configure,
                Changes = changes.Count == 0 ? ["state"] : [.. changes, "state"],
                NewMetadata = device.Metadata.WithChecked(DeviceConfiguration.MetadataKey, block.Element, block.EntryByteCount),
            };
        }

        return changes.Count == 0
            ? new TemplatePlanItem { Device = device, Action = TemplatePlanAction.Unchanged }
            : new TemplatePlanItem
            {
                Device = device,
                Action = TemplatePlanAction.Update,
                Changes = changes,
                NewMetadata = device.Metadata.WithChecked(DeviceConfiguration.MetadataKey, block.Element, block.EntryByteCount),
            };
    }

    private static string? SkipReason(DeviceTemplate template, Device device)
    {
        if (device.State == DeviceState.Decommissioned)
        {
            return "decommissioned";
        }

        if (!string.Equals(device.Type, template.DeviceType, StringComparison.Ordinal))
        {
            return $"type mismatch: the device is a {device.Type}, the template is for {template.DeviceType}";
        }

        if (template.Manufacturer is { } manufacturer)
        {
            var actual = device.Metadata.TryGetValue("manufacturer", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (!string.Equals(actual, manufacturer, StringComparison.OrdinalIgnoreCase))
            {
                return actual is null
                    ? $"manufacturer mismatch: the device names none, the template is for {manufacturer}"
                    : $"manufacturer mismatch: the device is made by {actual}, the template is for {manufacturer}";
            }
        }

        if (template.Configuration.IsSunSpec && SunSpecSkipReason(template, device) is { } sunspec)
        {
            return sunspec;
        }

        return device.State == DeviceState.Maintenance ? "in maintenance" : null;
    }

    /// <summary>
    /// Why a SunSpec template (<c>register_map: sunspec</c>) does not apply to a device: its metadata records no model
    /// chain (a device not found as SunSpec by discovery: it cannot be polled through one), or its chain has none of the
    /// template's <see cref="DeviceTemplate.SunSpecModels"/>.
    /// </summary>
    private static string? SunSpecSkipReason(DeviceTemplate template, Device device)
    {
        if (SunSpec.SunSpecChain.FromMetadata(device.Metadata) is not { Models.Count: > 0 } chain)
        {
            return $"not a SunSpec device: its metadata records no SunSpec model chain ({SunSpec.SunSpecChain.MetadataKey}), which register_map: sunspec reads; scan it again to record it";
        }

        if (template.SunSpecModels.Count > 0 && !chain.Models.Any(m => template.SunSpecModels.Contains(m.Id)))
        {
            return $"SunSpec model mismatch: the device has models {string.Join(", ", chain.Models.Select(m => m.Id))}, the template is for {string.Join(" or ", template.SunSpecModels)}";
        }

        return null;
    }

    /// <summary>Names what differs between two configuration blocks: <c>config.&lt;key&gt;</c>, and <c>config.registers.&lt;name&gt;</c> per point.</summary>
    private static List<string> Differences(JsonElement current, JsonElement next)
    {
        var changes = new List<string>();
        if (current.ValueKind != JsonValueKind.Object)
        {
            changes.Add(DeviceConfiguration.MetadataKey);
            return changes;
        }

        foreach (var key in Keys(current, next))
        {
            var hasOld = current.TryGetProperty(key, out var before);
            var hasNew = next.TryGetProperty(key, out var after);
            if (hasOld && hasNew && JsonElement.DeepEquals(before, after))
            {
                continue;
            }

            if (key == "registers" && hasOld && hasNew && before.ValueKind == JsonValueKind.Object)
            {
                foreach (var point in Keys(before, after))
                {
                    if (!(before.TryGetProperty(point, out var a) && after.TryGetProperty(point, out var b) && JsonElement.DeepEquals(a, b)))
                    {
                        changes.Add($"config.registers.{point}");
                    }
                }
            }
            else
            {
                changes.Add($"config.{key}");
            }
        }

        return changes;
    }

    private static SortedSet<string> Keys(JsonElement a, JsonElement b)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var property in a.EnumerateObject())
        {
            keys.Add(property.Name);
        }

        foreach (var property in b.EnumerateObject())
        {
            keys.Add(property.Name);
        }

        return keys;
    }

    /// <summary>The configuration block every planned device gets, checked once, with its size as a metadata entry.</summary>
    private readonly record struct Block(JsonElement Element, int EntryByteCount);
}
