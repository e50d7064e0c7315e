using System.Text.Json.Serialization;

namespace Flux.Devices.Groups;

/// <summary>A device's membership of a group.</summary>
public sealed record DeviceGroupMember
{
    /// <summary>Gets the group.</summary>
    [JsonPropertyName("group_id")]
    public required Guid GroupId { get; init; }

    /// <summary>Gets the device.</summary>
    [JsonPropertyName("device_id")]
    public required Guid DeviceId { get; init; }

    /// <summary>Gets the member's part in the group.</summary>
    [JsonPropertyName("role")]
    public required GroupMemberRole Role { get; init; }

    /// <summary>Gets the priority: members are listed lowest number first (1 before 2).</summary>
    [JsonPropertyName("priority")]
    public required int Priority { get; init; }
}
