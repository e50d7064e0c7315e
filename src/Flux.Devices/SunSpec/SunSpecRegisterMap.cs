using System.Collections.Frozen;
using System.Globalization;
using Flux.Devices.Transport;

namespace Flux.Devices.SunSpec;

/// <summary>One point of a device's SunSpec register map: where it is on this device, and how it reads.</summary>
/// <param name="Name">
/// Its name: <c>&lt;model&gt;.&lt;point&gt;</c> (<c>802.SoC</c>); a point of a group inside the model adds the group's
/// name, with the instance's 1-based index when the group repeats (<c>804.lithium_ion_string_module[2].ModSoC</c>), and
/// so on down for groups inside groups (<c>705.Crv[2].Pt[3].V</c>, <c>707.Crv[1].MustTrip.Pt[2].V</c>); a model that
/// occurs more than once in the chain is numbered the same way (<c>804[2].SoC</c>).
/// </param>
/// <param name="ModelId">The model it belongs to.</param>
/// <param name="Address">Its first register.</param>
/// <param name="Definition">Its definition (type, size, unit, access).</param>
/// <param name="ScaleFactorIndex">
/// The index in the map of the <c>sunssf</c> point that scales it; -1 when nothing scales it (or a fixed power of ten
/// does); -2 when its scale factor is named but not on the device (the model is cut short), so it cannot be read.
/// </param>
internal sealed record SunSpecMapPoint(string Name, int ModelId, int Address, SunSpecPointDefinition Definition, int ScaleFactorIndex)
{
    /// <summary>Gets the point's type.</summary>
    public SunSpecPointType Type => Definition.Type;

    /// <summary>Gets how many registers it takes.</summary>
    public int Size => Definition.Size;

    /// <summary>Gets the address after its last register.</summary>
    public int End => Address + Definition.Size;
}

/// <summary>
/// The register map of a SunSpec device, built from its model chain and the shipped model definitions: every point of
/// every model the library knows, at its real address. Models the library does not ship are left out (the chain
/// passes over them by their length). Pad points are not mapped.
/// </summary>
internal sealed class SunSpecRegisterMap
{
    private readonly FrozenDictionary<string, int> _byName;

    private SunSpecRegisterMap(SunSpecChain chain, List<SunSpecMapPoint> points, List<int> unknownModels, List<string> problems)
    {
        Chain = chain;
        Points = points;
        UnknownModels = unknownModels;
        Problems = problems;
        _byName = points.Select((p, i) => KeyValuePair.Create(p.Name, i)).ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the chain the map was built from.</summary>
    public SunSpecChain Chain { get; }

    /// <summary>Gets the points, in chain order (by address).</summary>
    public IReadOnlyList<SunSpecMapPoint> Points { get; }

    /// <summary>Gets the ids of the chain's models the library has no definition of (not mapped).</summary>
    public IReadOnlyList<int> UnknownModels { get; }

    /// <summary>Gets what could not be mapped, in words (a model shorter than its definition, a count that could not be read).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Finds a point by name.</summary>
    /// <param name="name">The name (<c>802.SoC</c>).</param>
    /// <param name="index">Its index in <see cref="Points"/>.</param>
    /// <returns>Whether the map has the point.</returns>
    public bool TryFind(string name, out int index) => _byName.TryGetValue(name, out index);

    /// <summary>
    /// Builds the map of a device's chain with the device at hand: first reads the count points of every model whose
    /// repeating groups are counted by a point (the curve models 705-712, whose curves hold a counted number of points;
    /// 711, 714, 803, 804), one read of each such model's own points (at most 125 registers), then maps the groups by
    /// those counts, groups inside repeating groups included: <c>705.Crv[2].Pt[3].V</c>, <c>707.Crv[1].MustTrip.Pt[2].V</c>.
    /// A read the device refuses or leaves unanswered leaves that model's counts unknown, as <see cref="Create"/> without
    /// them does (said in <see cref="Problems"/>).
    /// </summary>
    /// <param name="chain">The chain.</param>
    /// <param name="transport">The transport.</param>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="catalog">The model definitions; <see langword="null"/> for the shipped ones.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The map.</returns>
    public static async ValueTask<SunSpecRegisterMap> ReadAsync(
        SunSpecChain chain,
        IModbusTransport transport,
        ModbusEndpoint endpoint,
        byte unitId,
        SunSpecModelCatalog? catalog = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(transport);
        catalog ??= SunSpecModelCatalog.Shared;
        var registers = new Dictionary<int, ushort>();
        foreach (var entry in chain.Models)
        {
            if (!catalog.TryGet(entry.Id, out var model) || !HasCountPoint(model.Group))
            {
                continue;
            }

            // The model's own points, where the shipped definitions keep every count point; ID and L included.
            var length = Math.Min(model.Group.PointsLength, entry.Length + 2);
            var words = new ushort[length];
            try
            {
                for (var offset = 0; offset < length; offset += MaxRead)
                {
                    var count = Math.Min(MaxRead, length - offset);
                    await transport.ReadHoldingRegistersAsync(endpoint, unitId, (ushort)(entry.Address + offset), words.AsMemory(offset, count), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is ModbusException or ModbusTimeoutException or ModbusProtocolException)
            {
                continue; // Its counted groups are left out, and said so in Problems.
            }

            for (var i = 0; i < length; i++)
            {
                registers[entry.Address + i] = words[i];
            }
        }

        return Create(chain, a => registers.TryGetValue(a, out var value) ? value : null, catalog);
    }

    /// <summary>Builds the map of a chain.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="registerAt">
    /// The value of one register of the device, for the counts of repeating groups that the model's length alone does
    /// not give (groups inside repeating groups, as in the curve models 705-712: <c>705.Crv[2].Pt[3].V</c>);
    /// <see langword="null"/> when the device is not at hand: such groups are then left out, and said so in
    /// <see cref="Problems"/>. <see cref="ReadAsync"/> reads them from the device.
    /// </param>
    /// <param name="catalog">The model definitions; <see langword="null"/> for the shipped ones.</param>
    /// <returns>The map.</returns>
    public static SunSpecRegisterMap Create(SunSpecChain chain, Func<int, ushort?>? registerAt = null, SunSpecModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        catalog ??= SunSpecModelCatalog.Shared;
        var builder = new Builder(registerAt);
        var unknown = new List<int>();
        var occurrences = chain.Models.CountBy(m => m.Id).ToDictionary(p => p.Key, p => p.Value);
        var seen = new Dictionary<int, int>();
        foreach (var entry in chain.Models)
        {
            if (!catalog.TryGet(entry.Id, out var model))
            {
                unknown.Add(entry.Id);
                continue;
            }

            seen[entry.Id] = seen.GetValueOrDefault(entry.Id) + 1;
            var prefix = occurrences[entry.Id] > 1
                ? string.Create(CultureInfo.InvariantCulture, $"{entry.Id}[{seen[entry.Id]}]")
                : entry.Id.ToString(CultureInfo.InvariantCulture);
            builder.MapModel(model, entry, prefix);
        }

        return new SunSpecRegisterMap(chain, builder.Points, unknown, builder.Problems);
    }

    /// <summary>The most registers one read of <see cref="ReadAsync"/> asks for (Modbus's limit for function 3).</summary>
    private const int MaxRead = 125;

    /// <summary>Whether a group, or one inside it, repeats by the value of a count point.</summary>
    private static bool HasCountPoint(SunSpecGroupDefinition group) =>
        group.Groups.Any(g => g.Count.Point is not null || HasCountPoint(g));

    /// <summary>Names visible from a group instance: its own points, then its enclosing groups'.</summary>
    private sealed class Scope(Scope? parent)
    {
        public Dictionary<string, int> Names { get; } = new(StringComparer.Ordinal);

        public int Find(string name)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope.Names.TryGetValue(name, out var index))
                {
                    return index;
                }
            }

            return -1;
        }

        private Scope? Parent { get; } = parent;
    }

    private sealed class Builder(Func<int, ushort?>? registerAt)
    {
        public List<SunSpecMapPoint> Points { get; } = [];

        public List<string> Problems { get; } = [];

        public void MapModel(SunSpecModelDefinition model, SunSpecModelEntry entry, string prefix)
        {
            if (!MapGroup(model.Group, prefix, entry.Address, null, entry, out var stop))
            {
                Problems.Add($"model {prefix} at {entry.Address} (length {entry.Length}): {stop}");
            }
        }

        /// <summary>Maps one instance of a group and everything inside it; false (with why) when the rest cannot be mapped.</summary>
        private bool MapGroup(SunSpecGroupDefinition group, string prefix, int start, Scope? parent, SunSpecModelEntry model, out string? stop)
        {
            var scope = new Scope(parent);
            var first = Points.Count;
            stop = null;
            foreach (var point in group.Points)
            {
                var address = start + point.Offset;
                if (address + point.Size > model.End)
                {
                    stop = $"point {point.Name} at {address} lies past the model's end ({model.End - 1}); it and what follows are not mapped";
                    break;
                }

                if (point.Type == SunSpecPointType.Pad)
                {
                    continue;
                }

                scope.Names[point.Name] = Points.Count;
                Points.Add(new SunSpecMapPoint($"{prefix}.{point.Name}", model.Id, address, point, -1));
            }

            for (var i = first; i < Points.Count; i++)
            {
                if (Points[i].Definition.ScaleFactor is { } sf)
                {
                    var index = scope.Find(sf);
                    Points[i] = Points[i] with { ScaleFactorIndex = index >= 0 && Points[index].Type == SunSpecPointType.Sunssf ? index : -2 };
                }
            }

            if (stop is not null)
            {
                return false;
            }

            var cursor = start + group.PointsLength;
            for (var g = 0; g < group.Groups.Count; g++)
            {
                var child = group.Groups[g];
                var length = InstanceLength(child, scope);
                if (length is not { } instanceLength)
                {
                    stop = $"the size of group {child.Name} depends on a count that could not be read; it and what follows are not mapped";
                    return false;
                }

                var count = Count(child, scope, instanceLength, model.End - cursor, last: g == group.Groups.Count - 1);
                if (count is not { } instances)
                {
                    stop = $"the count of group {child.Name} ({child.Count.Point ?? "as many as fit"}) could not be read; it and what follows are not mapped";
                    return false;
                }

                for (var k = 1; k <= instances; k++)
                {
                    var childPrefix = child.Repeats
                        ? string.Create(CultureInfo.InvariantCulture, $"{prefix}.{child.Name}[{k}]")
                        : $"{prefix}.{child.Name}";
                    if (!MapGroup(child, childPrefix, cursor, scope, model, out stop))
                    {
                        return false;
                    }

                    cursor += instanceLength;
                }
            }

            return true;
        }

        /// <summary>
        /// How many instances of a group: once, a fixed number, the count point's value when it fits the model, or, for the
        /// model's last group, as many as the rest of the model holds (the definitions' count 0, and a device that leaves
        /// its count point unimplemented).
        /// </summary>
        private int? Count(SunSpecGroupDefinition group, Scope scope, int instanceLength, int remaining, bool last)
        {
            if (!group.Repeats)
            {
                return 1;
            }

            if (group.Count.Point is null && group.Count.Fixed > 0)
            {
                return group.Count.Fixed;
            }

            if (group.Count.Point is { } point && Value(point, scope) is { } value && value * instanceLength <= remaining)
            {
                return value;
            }

            if (last && instanceLength > 0)
            {
                return Math.Max(0, remaining) / instanceLength;
            }

            return null;
        }

        /// <summary>The registers one instance of a group takes, with the groups inside it; null when a count inside cannot be read.</summary>
        private int? InstanceLength(SunSpecGroupDefinition group, Scope scope)
        {
            var length = group.PointsLength;
            foreach (var child in group.Groups)
            {
                var childLength = InstanceLength(child, scope);
                int? count = !child.Repeats ? 1
                    : child.Count.Point is { } point ? Value(point, scope)
                    : child.Count.Fixed > 0 ? child.Count.Fixed
                    : null;
                if (childLength is null || count is null)
                {
                    return null;
                }

                length += childLength.Value * count.Value;
            }

            return length;
        }

        /// <summary>A count point's value read from the device, when it can be.</summary>
        private int? Value(string point, Scope scope)
        {
            var index = scope.Find(point);
            if (index < 0 || registerAt is null || registerAt(Points[index].Address) is not { } value || value == 0xFFFF)
            {
                return null;
            }

            return value;
        }
    }
}
