namespace Flux.Devices.RegisterMaps;

/// <summary>
/// A named set of points of one kind of device (<c>powerpack_bess</c>, <c>acuvim2_standard</c>): how to read and
/// decode them. Maps come from built-ins, YAML files and user code through <see cref="IRegisterMapProvider"/>.
/// </summary>
public sealed class RegisterMap
{
    private readonly Dictionary<string, RegisterDefinition> _byName;

    /// <summary>Initializes a new instance of the <see cref="RegisterMap"/> class.</summary>
    /// <param name="name">The map's name: lower-case letters, digits and underscores.</param>
    /// <param name="registers">
    /// The points: names unique; counts that fit their data types (strings 1..125, bits one); within 0..65535; no
    /// sentinel wider than the type; inputs read-only; and no two points of one table overlapping.
    /// </param>
    /// <param name="scaling">Named scale factors the points' <see cref="RegisterDefinition.ScaleKey"/> refer to.</param>
    /// <param name="description">What the map is, for listings.</param>
    /// <exception cref="ArgumentException">A rule is broken; the message names the point.</exception>
    public RegisterMap(string name, IEnumerable<RegisterDefinition> registers, IReadOnlyDictionary<string, double>? scaling = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(registers);
        if (!DeviceTypeDefinition.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid register map name: use lower-case letters, digits and underscores.", nameof(name));
        }

        Name = name;
        Description = description;
        Registers = [.. registers];
        Scaling = new Dictionary<string, double>(scaling ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        if (Scaling.FirstOrDefault(kv => !double.IsFinite(kv.Value) || !DeviceTypeDefinition.IsValidName(kv.Key)) is { Key: not null } bad)
        {
            throw new ArgumentException($"Scale '{bad.Key}' of register map '{name}' must be a finite number under a lower-case name.", nameof(scaling));
        }

        _byName = new Dictionary<string, RegisterDefinition>(StringComparer.Ordinal);
        foreach (var register in Registers)
        {
            ArgumentNullException.ThrowIfNull(register, nameof(registers));
            if (RegisterDefinition.Problem(register) is { } problem)
            {
                throw new ArgumentException($"Point '{register.Name}' of register map '{name}': {problem}.", nameof(registers));
            }

            if (!_byName.TryAdd(register.Name, register))
            {
                throw new ArgumentException($"Register map '{name}' has two points named '{register.Name}'.", nameof(registers));
            }

            if (register.ScaleKey is { } key && !Scaling.ContainsKey(key))
            {
                throw new ArgumentException($"Point '{register.Name}' of register map '{name}' scales by '{key}', which its scaling block does not define.", nameof(registers));
            }
        }

        if (FindOverlap(Registers) is var (a, b))
        {
            throw new ArgumentException($"Points '{a.Name}' and '{b.Name}' of register map '{name}' overlap.", nameof(registers));
        }
    }

    /// <summary>Gets the map's name.</summary>
    public string Name { get; }

    /// <summary>Gets what the map is, for listings.</summary>
    public string? Description { get; }

    /// <summary>Gets the points, in the order they were given.</summary>
    public IReadOnlyList<RegisterDefinition> Registers { get; }

    /// <summary>Gets the named scale factors.</summary>
    public IReadOnlyDictionary<string, double> Scaling { get; }

    /// <summary>Finds a point by name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The point, or <see langword="null"/>.</returns>
    public RegisterDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Finds two points of one table whose address ranges overlap.</summary>
    /// <param name="registers">The points.</param>
    /// <returns>The first overlapping pair found, or <see langword="null"/>.</returns>
    internal static (RegisterDefinition First, RegisterDefinition Second)? FindOverlap(IEnumerable<RegisterDefinition> registers)
    {
        foreach (var table in registers.GroupBy(r => r.Kind))
        {
            RegisterDefinition? previous = null;
            foreach (var register in table.OrderBy(r => r.Address))
            {
                if (previous is not null && register.Address < previous.End)
                {
                    return (previous, register);
                }

                if (previous is null || register.End > previous.End)
                {
                    previous = register;
                }
            }
        }

        return null;
    }
}
