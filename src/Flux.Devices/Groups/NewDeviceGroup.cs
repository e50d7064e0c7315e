namespace Flux.Devices.Groups;

/// <summary>What a caller supplies to create a group.</summary>
public sealed record NewDeviceGroup
{
    /// <summary>Gets the id to create the group under; <see langword="null"/> to have one generated.</summary>
    public Guid? Id { get; init; }

    /// <summary>Gets the unique name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the site, or <see cref="DeviceGroup.AllSites"/>.</summary>
    public required string Site { get; init; }

    /// <summary>Gets what the group is for.</summary>
    public required DeviceGroupType GroupType { get; init; }

    /// <summary>Gets the group's free-form metadata.</summary>
    public DeviceMetadata Metadata { get; init; } = DeviceMetadata.Empty;
}
