using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices.Groups;

/// <summary>What a group is for, as the spec's <c>group_type</c>.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<DeviceGroupType>))]
public enum DeviceGroupType
{
    /// <summary>Devices dispatched together (<c>control</c>), such as a BESS fleet.</summary>
    Control = 0,

    /// <summary>Devices watched together (<c>monitoring</c>), such as settlement meters.</summary>
    Monitoring = 1,

    /// <summary>Devices analysed together (<c>analysis</c>).</summary>
    Analysis = 2,
}

/// <summary>A member's part in a group, as the spec's <c>role</c>.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<GroupMemberRole>))]
public enum GroupMemberRole
{
    /// <summary>Used first (<c>primary</c>).</summary>
    Primary = 0,

    /// <summary>Used when a primary is unavailable (<c>backup</c>).</summary>
    Backup = 1,

    /// <summary>Watched, not controlled (<c>monitor</c>).</summary>
    Monitor = 2,
}

/// <summary>A logical group of devices for coordinated control, monitoring or analysis.</summary>
public sealed record DeviceGroup
{
    /// <summary>The <see cref="Site"/> of a group that spans every site (<c>ALL</c>).</summary>
    public const string AllSites = "ALL";

    /// <summary>Gets the group's id.</summary>
    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    /// <summary>Gets the group's name, unique in the registry (<c>WLCE-BESS-Fleet</c>).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Gets the site, or <see cref="AllSites"/>; members must be at this site unless it is <see cref="AllSites"/>.</summary>
    [JsonPropertyName("site")]
    public required string Site { get; init; }

    /// <summary>Gets what the group is for.</summary>
    [JsonPropertyName("group_type")]
    public required DeviceGroupType GroupType { get; init; }

    /// <summary>Gets the group's free-form metadata.</summary>
    [JsonPropertyName("metadata")]
    public DeviceMetadata Metadata { get; init; } = DeviceMetadata.Empty;

    /// <summary>Gets when the group was created.</summary>
    [JsonPropertyName("created_at")]
    public DateTimeOffset CreatedAt { get; init; }
}
