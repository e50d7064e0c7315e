namespace Flux.Devices.Telemetry;

/// <summary>
/// One point of one device at one time: the register map's point decoded from a poll (raw × scale + offset, and for a
/// meter's secondary-side points × <c>ct_ratio</c> or <c>vt_ratio</c>), with its unit and quality.
/// </summary>
/// <remarks>
/// Stores keep the readings that have a number (<see cref="Value"/> not <see langword="null"/>) as narrow rows
/// <c>(device_id, timestamp, point, value)</c>; the unit and quality are those of the register map and the poll, and
/// are not stored.
/// </remarks>
public sealed record TelemetryReading
{
    /// <summary>Gets the device.</summary>
    public required Guid DeviceId { get; init; }

    /// <summary>Gets the point's name in the device's register map (<c>soe</c>, <c>target_power</c>).</summary>
    public required string Point { get; init; }

    /// <summary>Gets the value in <see cref="Unit"/>; <see langword="null"/> when not available, or for a text point.</summary>
    public required double? Value { get; init; }

    /// <summary>Gets the text of a string point (a serial number); <see langword="null"/> otherwise.</summary>
    public string? Text { get; init; }

    /// <summary>Gets the unit of <see cref="Value"/> (<c>kWh</c>), from the register map.</summary>
    public string? Unit { get; init; }

    /// <summary>Gets how far the reading can be trusted.</summary>
    /// <value>The default value is <see cref="TelemetryQuality.Good"/>.</value>
    public TelemetryQuality Quality { get; init; } = TelemetryQuality.Good;

    /// <summary>Gets when the device was read (the poll's timestamp).</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
