using System.Text.Json.Serialization;
using Flux.Devices.Lifecycle;

namespace Flux.Devices;

/// <summary>
/// A piece of physical equipment in the registry, with the spec's fields (<c>id</c>, <c>name</c>, <c>type</c>,
/// <c>site</c>, <c>metadata</c>, <c>active</c>, <c>created_at</c>, <c>updated_at</c>) plus its lifecycle
/// <see cref="State"/> and a <see cref="Version"/> for optimistic concurrency.
/// </summary>
/// <remarks>
/// A <see cref="Device"/> is an immutable snapshot of what the store held when it was read. Change a device
/// through <see cref="IDeviceRegistry"/>, passing the <see cref="Version"/> you read; the registry refuses the
/// change if someone else changed the device in between. Stores construct instances directly.
/// </remarks>
public sealed record Device
{
    /// <summary>Gets the device's id, a UUID.</summary>
    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    /// <summary>Gets the human-readable name, unique in the registry (<c>WLCE-BESS-01</c>).</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>Gets the device type (<see cref="DeviceTypes.Bess"/>, <see cref="DeviceTypes.Meter"/> or a host-registered type).</summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets the site the device belongs to (<c>WLCE</c>, <c>HMCE</c>, <c>LFCE</c>).</summary>
    [JsonPropertyName("site")]
    public required string Site { get; init; }

    /// <summary>Gets the device's metadata: its type's typed fields and any other keys, as written.</summary>
    [JsonPropertyName("metadata")]
    public DeviceMetadata Metadata { get; init; } = DeviceMetadata.Empty;

    /// <summary>Gets a value indicating whether the device is in service. Maintenance and decommissioning clear it.</summary>
    [JsonPropertyName("active")]
    public bool Active { get; init; } = true;

    /// <summary>Gets where the device is in its lifecycle.</summary>
    [JsonPropertyName("state")]
    public DeviceState State { get; init; } = DeviceState.Registered;

    /// <summary>Gets the version: 1 when registered, one more on every change.</summary>
    [JsonPropertyName("version")]
    public long Version { get; init; } = 1;

    /// <summary>Gets when the device was registered.</summary>
    [JsonPropertyName("created_at")]
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the device last changed.</summary>
    [JsonPropertyName("updated_at")]
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// Gets a value indicating whether a poller should poll the device now: it is <see cref="Active"/> and in a
    /// polled state (<see cref="DeviceState.Configured"/>, <see cref="DeviceState.Testing"/> or
    /// <see cref="DeviceState.Active"/>). Devices in maintenance, failed or decommissioned are never polled.
    /// </summary>
    [JsonIgnore]
    public bool ShouldPoll => Active && DeviceLifecycle.IsPolled(State);
}
