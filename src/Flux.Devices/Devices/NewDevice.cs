namespace Flux.Devices;

/// <summary>What a caller supplies to register a device; the registry fills in state, version and timestamps.</summary>
public sealed record NewDevice
{
    /// <summary>Gets the id to register under; <see langword="null"/> to have one generated.</summary>
    public Guid? Id { get; init; }

    /// <summary>Gets the unique, human-readable name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the device type (<see cref="DeviceTypes.Bess"/>, <see cref="DeviceTypes.Meter"/> or a host-registered type).</summary>
    public required string Type { get; init; }

    /// <summary>Gets the site.</summary>
    public required string Site { get; init; }

    /// <summary>Gets the metadata, validated against the type's rules.</summary>
    public DeviceMetadata Metadata { get; init; } = DeviceMetadata.Empty;

    /// <summary>Gets a value indicating whether the device is in service.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Active { get; init; } = true;
}
