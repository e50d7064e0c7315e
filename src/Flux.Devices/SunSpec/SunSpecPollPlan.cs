using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Flux.Devices.Health.Internal;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.SunSpec;

/// <summary>
/// The poll of a SunSpec device (configuration <c>register_map: sunspec</c>): a <see cref="SunSpecReadPlan"/> over the
/// map of the model chain recorded in the device's metadata, read with function 3 in the plan's fewest requests, and
/// decoded with the scale factors read in the same poll ("not implemented" values and values whose scale factor is not
/// implemented have no value). The device's <c>ct_ratio</c> and <c>vt_ratio</c> do not apply: a SunSpec meter reports
/// primary-side values.
/// </summary>
internal sealed class SunSpecPollPlan : PollPlan
{
    private readonly PollRead[] _reads;

    private SunSpecPollPlan(SunSpecReadPlan plan)
    {
        Plan = plan;
        _reads = [.. plan.Reads.Select(r => new PollRead(RegisterKind.Holding, r.Start, r.Count))];
    }

    /// <summary>Gets the SunSpec read plan.</summary>
    public SunSpecReadPlan Plan { get; }

    public override IReadOnlyList<PollRead> Reads => _reads;

    /// <summary>
    /// Plans the poll of a SunSpec device from the chain in its metadata: the points named (those of models the device
    /// does not have, or of group instances beyond its counts, are left out: a template may name the points of several
    /// models, as a meter template those of 201-204), or every point of its map when none are named.
    /// </summary>
    /// <param name="metadata">The device's metadata (<c>sunspec_models</c>, <c>sunspec_base</c>).</param>
    /// <param name="points">The points to poll (<c>802.SoC</c>); empty for all.</param>
    /// <param name="plan">The plan.</param>
    /// <param name="problem">Why there is no plan: no chain recorded, or none of the points on the device.</param>
    /// <returns>Whether there is a plan.</returns>
    public static bool TryCreate(DeviceMetadata metadata, IReadOnlyList<string> points, [NotNullWhen(true)] out SunSpecPollPlan? plan, [NotNullWhen(false)] out string? problem)
    {
        plan = null;
        if (SunSpecChain.FromMetadata(metadata) is not { Models.Count: > 0 } chain)
        {
            problem = $"the configuration reads SunSpec (register_map: sunspec) but the device's metadata records no SunSpec model chain ({SunSpecChain.MetadataKey}); scan the device again to record it";
            return false;
        }

        var map = SunSpecRegisterMap.Create(chain);
        IEnumerable<string>? wanted = null;
        if (points.Count > 0)
        {
            var present = points.Where(p => map.TryFind(p, out _)).ToList();
            if (present.Count == 0)
            {
                problem = $"none of the configuration's SunSpec points ({string.Join(", ", points)}) is on the device (models {string.Join(", ", chain.Models.Select(m => m.Id))})";
                return false;
            }

            wanted = present;
        }
        else if (map.Points.Count == 0)
        {
            problem = $"the device's SunSpec models ({string.Join(", ", chain.Models.Select(m => m.Id))}) have no point the library knows";
            return false;
        }

        try
        {
            plan = new SunSpecPollPlan(SunSpecReadPlan.Create(map, wanted));
            problem = null;
            return true;
        }
        catch (ArgumentException ex)
        {
            problem = $"the device's SunSpec points cannot be planned: {ex.Message}";
            return false;
        }
    }

    public override PollDecoder CreateDecoder(double ctRatio, double vtRatio) => new Decoder(Plan);

    /// <summary>Decodes into values per slot (every point read, with the scale factors), then reports the points asked for.</summary>
    private sealed class Decoder(SunSpecReadPlan plan) : PollDecoder
    {
        private readonly SunSpecValue[] _slots = new SunSpecValue[plan.Slots.Count];

        public override int Count => plan.ReportedCount;

        public override string Name(int point) => plan.Slots[plan.ReportedSlot(point)].Name;

        public override string? Unit(int point) => plan.Slots[plan.ReportedSlot(point)].Definition.Units;

        public override void Decode(PollReadings readings, Span<double> values, Span<string?> texts, Span<bool> available)
        {
            plan.Decode(readings.AllRegisters, _slots);
            for (var i = 0; i < values.Length; i++)
            {
                var value = _slots[plan.ReportedSlot(i)];
                values[i] = value.Number ?? 0;
                texts[i] = value.Text;
                available[i] = value.IsAvailable;
            }
        }
    }
}

/// <summary>Checks SunSpec point names (<c>802.SoC</c>, <c>803.string[2].StrSoC</c>, <c>804[2].SoC</c>) against the shipped model definitions.</summary>
internal static class SunSpecPointName
{
    /// <summary>Tells what is wrong with a point name, or null when it names a point of a shipped model.</summary>
    /// <param name="name">The name.</param>
    /// <param name="catalog">The definitions; <see langword="null"/> for the shipped ones.</param>
    /// <returns>The problem, in words, or <see langword="null"/>.</returns>
    public static string? Problem(string name, SunSpecModelCatalog? catalog = null) => Resolve(name, catalog ?? SunSpecModelCatalog.Shared, out _);

    /// <summary>Finds the definition of a point by its name (any index of a repeating group), for its unit and type.</summary>
    /// <param name="name">The name (<c>802.SoC</c>).</param>
    /// <returns>The definition, or <see langword="null"/> when the name names no point of a shipped model.</returns>
    public static SunSpecPointDefinition? Find(string name) => Resolve(name, SunSpecModelCatalog.Shared, out var point) is null ? point : null;

    private static string? Resolve(string name, SunSpecModelCatalog catalog, out SunSpecPointDefinition? found)
    {
        found = null;
        var parts = name.Split('.');
        if (parts.Length < 2)
        {
            return "not a SunSpec point name: give MODEL.POINT (802.SoC), with group names between for a point of a group (803.string[1].StrSoC)";
        }

        if (!TrySplitIndex(parts[0], out var modelText, out _) || !int.TryParse(modelText, NumberStyles.None, CultureInfo.InvariantCulture, out var modelId))
        {
            return $"it does not start with a model id ('{parts[0]}')";
        }

        if (!catalog.TryGet(modelId, out var model))
        {
            return $"model {modelId} is not one the library ships; shipped models are {string.Join(", ", catalog.Ids)}";
        }

        var group = model.Group;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            if (!TrySplitIndex(parts[i], out var groupName, out var index))
            {
                return $"a bad index in '{parts[i]}' (a 1-based number in brackets)";
            }

            var child = group.Groups.FirstOrDefault(g => g.Name == groupName);
            if (child is null)
            {
                return $"{string.Join(".", parts[..i])} has no group '{groupName}'{Listing(" its groups are ", group.Groups.Select(g => g.Name))}";
            }

            if (child.Repeats != (index is not null))
            {
                return child.Repeats ? $"group '{groupName}' repeats: give the instance ({groupName}[1])" : $"group '{groupName}' does not repeat: give no index";
            }

            group = child;
        }

        var point = parts[^1];
        found = group.Points.FirstOrDefault(p => p.Name == point && p.Type != SunSpecPointType.Pad);
        return found is not null
            ? null
            : $"{string.Join(".", parts[..^1])} has no point '{point}'{Listing(" its points are ", group.Points.Where(p => p.Type != SunSpecPointType.Pad).Select(p => p.Name))}";
    }

    private static string Listing(string lead, IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? string.Empty : $";{lead}{string.Join(", ", list)}";
    }

    /// <summary>Splits <c>name[3]</c> into its name and index (null without brackets); false for a bad index.</summary>
    private static bool TrySplitIndex(string part, out string name, out int? index)
    {
        index = null;
        name = part;
        var open = part.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return part.Length > 0;
        }

        name = part[..open];
        if (!part.EndsWith(']') || !int.TryParse(part.AsSpan(open + 1, part.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
        {
            return false;
        }

        index = value;
        return name.Length > 0;
    }
}
