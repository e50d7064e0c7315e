using System.Text.Json.Serialization;

namespace Flux.Devices.Lifecycle;

/// <summary>
/// One change to a device, written by the store in the same write as the change itself. Every version of a
/// device has exactly one entry, so a device's history is an unbroken chain from version 1.
/// </summary>
public sealed record DeviceHistoryEntry
{
    /// <summary>Gets the device.</summary>
    [JsonPropertyName("device_id")]
    public required Guid DeviceId { get; init; }

    /// <summary>Gets the device version this change produced.</summary>
    [JsonPropertyName("version")]
    public required long Version { get; init; }

    /// <summary>Gets what kind of change it was.</summary>
    [JsonPropertyName("kind")]
    public required DeviceChangeKind Kind { get; init; }

    /// <summary>Gets the state before the change; <see langword="null"/> for a registration.</summary>
    [JsonPropertyName("from_state")]
    public DeviceState? FromState { get; init; }

    /// <summary>Gets the state after the change.</summary>
    [JsonPropertyName("to_state")]
    public required DeviceState ToState { get; init; }

    /// <summary>Gets the trigger, for a transition.</summary>
    [JsonPropertyName("trigger")]
    public DeviceTrigger? Trigger { get; init; }

    /// <summary>Gets the fields that changed (<c>site</c>, <c>active</c>, <c>metadata.capacity_kwh</c>).</summary>
    [JsonPropertyName("changed_fields")]
    public IReadOnlyList<string> ChangedFields { get; init; } = [];

    /// <summary>Gets why the change was made, as the caller said.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    /// <summary>Gets who made the change, as the caller said.</summary>
    [JsonPropertyName("actor")]
    public string? Actor { get; init; }

    /// <summary>Gets the control write, for a <see cref="DeviceChangeKind.Controlled"/> entry; <see langword="null"/> otherwise.</summary>
    [JsonPropertyName("control")]
    public Control.DeviceControlRecord? Control { get; init; }

    /// <summary>Gets when the change was made.</summary>
    [JsonPropertyName("timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Compares every field, the changed fields element by element, so that entries read back from any store compare equal.</summary>
    /// <param name="other">The entry to compare with.</param>
    /// <returns><see langword="true"/> when every field is equal.</returns>
    public bool Equals(DeviceHistoryEntry? other) =>
        other is not null
        && DeviceId == other.DeviceId
        && Version == other.Version
        && Kind == other.Kind
        && FromState == other.FromState
        && ToState == other.ToState
        && Trigger == other.Trigger
        && ChangedFields.SequenceEqual(other.ChangedFields, StringComparer.Ordinal)
        && string.Equals(Reason, other.Reason, StringComparison.Ordinal)
        && string.Equals(Actor, other.Actor, StringComparison.Ordinal)
        && Equals(Control, other.Control)
        && Timestamp == other.Timestamp;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DeviceId, Version, Kind, ToState, Timestamp);
}
