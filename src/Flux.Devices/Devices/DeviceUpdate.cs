namespace Flux.Devices;

/// <summary>
/// A change to a device's descriptive fields. Properties left <see langword="null"/> keep their current value.
/// The lifecycle state is not changed here: fire a <see cref="DeviceTrigger"/> instead.
/// </summary>
public sealed record DeviceUpdate
{
    /// <summary>Gets the new name, or <see langword="null"/> to keep it.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the new site, or <see langword="null"/> to keep it.</summary>
    public string? Site { get; init; }

    /// <summary>Gets the new metadata, replacing the whole object, or <see langword="null"/> to keep it.</summary>
    public DeviceMetadata? Metadata { get; init; }

    /// <summary>Gets the new active flag, or <see langword="null"/> to keep it.</summary>
    public bool? Active { get; init; }
}
