using System.Text.RegularExpressions;

namespace Flux.Devices;

/// <summary>
/// A device type the registry accepts: its name and the rules its metadata must follow. The built-in
/// <see cref="DeviceTypes.Bess"/> and <see cref="DeviceTypes.Meter"/> are in <see cref="FluxDevicesOptions.DeviceTypes"/>
/// from the start; a host adds its own with <c>AddDeviceType</c> on the <c>AddFluxDevices</c> builder.
/// </summary>
/// <example>
/// <code>
/// builder.AddDeviceType(new DeviceTypeDefinition("inverter", metadata =>
/// {
///     metadata.RequireString("manufacturer");
///     metadata.RequireNumber("rated_power_kw", minExclusive: 0);
/// }));
/// </code>
/// </example>
public sealed partial class DeviceTypeDefinition
{
    private readonly Action<MetadataValidationContext> _validate;

    /// <summary>Initializes a new instance of the <see cref="DeviceTypeDefinition"/> class.</summary>
    /// <param name="name">The type name: lower-case letters, digits and underscores, starting with a letter, at most 32 characters.</param>
    /// <param name="validate">Checks the metadata of a device of this type, reporting every failure to the context.</param>
    /// <param name="description">What the type is, for listings.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid type name.</exception>
    public DeviceTypeDefinition(string name, Action<MetadataValidationContext> validate, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(validate);
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid device type name: use lower-case letters, digits and underscores, starting with a letter, at most 32 characters.",
                nameof(name));
        }

        Name = name;
        Description = description;
        _validate = validate;
    }

    /// <summary>Gets the type name, as stored in the <c>type</c> column.</summary>
    public string Name { get; }

    /// <summary>Gets what the type is, for listings.</summary>
    public string? Description { get; }

    /// <summary>Gets the definition of the built-in <see cref="DeviceTypes.Bess"/> type, validated as <see cref="BessMetadata"/>.</summary>
    public static DeviceTypeDefinition Bess { get; } =
        new(DeviceTypes.Bess, BessMetadata.Validate, "Battery energy storage system");

    /// <summary>Gets the definition of the built-in <see cref="DeviceTypes.Meter"/> type, validated as <see cref="MeterMetadata"/>.</summary>
    public static DeviceTypeDefinition Meter { get; } =
        new(DeviceTypes.Meter, MeterMetadata.Validate, "Power meter");

    /// <summary>Checks metadata against this type's rules.</summary>
    /// <param name="metadata">The metadata to check.</param>
    /// <returns>Every failed rule; empty when the metadata is valid.</returns>
    public IReadOnlyList<DeviceValidationError> Validate(DeviceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var context = new MetadataValidationContext(metadata);
        _validate(context);
        return context.Errors;
    }

    /// <summary>Returns the type name.</summary>
    /// <returns>The type name.</returns>
    public override string ToString() => Name;

    internal static bool IsValidName(string name) => TypeName().IsMatch(name);

    [GeneratedRegex(@"\A[a-z][a-z0-9_]{0,31}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TypeName();
}
