using System.Text.Json.Serialization;

namespace Flux.Devices.Control;

/// <summary>
/// What a <see cref="Lifecycle.DeviceChangeKind.Controlled"/> history entry records of a control write: the point, the
/// value asked for, the registers and function (once known), and the outcome.
/// </summary>
public sealed record DeviceControlRecord
{
    /// <summary>Gets the point's name (<c>target_power</c>), as the caller gave it.</summary>
    [JsonPropertyName("point")]
    public required string Point { get; init; }

    /// <summary>Gets the value asked for, scaled (in the point's unit).</summary>
    [JsonPropertyName("value")]
    public required double Value { get; init; }

    /// <summary>Gets what became of the write.</summary>
    [JsonPropertyName("outcome")]
    public required ControlOutcome Outcome { get; init; }

    /// <summary>Gets the first address written; <see langword="null"/> when the write was refused before it was planned.</summary>
    [JsonPropertyName("address")]
    public int? Address { get; init; }

    /// <summary>Gets the Modbus function code (5, 6 or 16); <see langword="null"/> when the write was refused before it was planned.</summary>
    [JsonPropertyName("function")]
    public int? FunctionCode { get; init; }

    /// <summary>Gets the raw register values (a coil as 0 or 1); empty when the write was refused before it was planned.</summary>
    [JsonPropertyName("registers")]
    public IReadOnlyList<ushort> Registers { get; init; } = [];

    /// <summary>Gets why the write was refused, failed or is unknown; <see langword="null"/> when accepted or confirmed.</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    /// <summary>Compares every field, the registers element by element, so that records read back from any store compare equal.</summary>
    /// <param name="other">The record to compare with.</param>
    /// <returns><see langword="true"/> when every field is equal.</returns>
    public bool Equals(DeviceControlRecord? other) =>
        other is not null
        && string.Equals(Point, other.Point, StringComparison.Ordinal)
        && Value.Equals(other.Value)
        && Outcome == other.Outcome
        && Address == other.Address
        && FunctionCode == other.FunctionCode
        && Registers.SequenceEqual(other.Registers)
        && string.Equals(Detail, other.Detail, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Point, Value, Outcome, Address);
}
