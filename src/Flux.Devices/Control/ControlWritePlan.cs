using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Control;

/// <summary>What a control write sends: the point, the value, and the raw registers, address and function code.</summary>
public sealed record ControlWritePlan
{
    /// <summary>Gets the device.</summary>
    public required Guid DeviceId { get; init; }

    /// <summary>Gets the device's name.</summary>
    public required string DeviceName { get; init; }

    /// <summary>Gets the point written.</summary>
    public required RegisterDefinition Point { get; init; }

    /// <summary>Gets the value asked for, scaled (in the point's unit).</summary>
    public required double Value { get; init; }

    /// <summary>Gets the first address written (0-based, PDU addressing).</summary>
    public required ushort Address { get; init; }

    /// <summary>Gets the Modbus function code: 5 for a coil, 6 for one register, 16 for several.</summary>
    public required byte FunctionCode { get; init; }

    /// <summary>Gets the raw values sent, one per register (a coil as 0 or 1).</summary>
    public required IReadOnlyList<ushort> Registers { get; init; }
}
