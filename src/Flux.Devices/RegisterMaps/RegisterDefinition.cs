using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices.RegisterMaps;

/// <summary>Which Modbus table a point lives in.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<RegisterKind>))]
public enum RegisterKind
{
    /// <summary>Holding registers (function 3; written with 6 and 16). The default.</summary>
    Holding = 0,

    /// <summary>Input registers (function 4), read-only.</summary>
    Input = 1,

    /// <summary>Coils (function 1; written with 5 and 15).</summary>
    Coil = 2,

    /// <summary>Discrete inputs (function 2), read-only.</summary>
    DiscreteInput = 3,
}

/// <summary>Whether a point may be written.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<RegisterAccess>))]
public enum RegisterAccess
{
    /// <summary>Read only. The default.</summary>
    Read = 0,

    /// <summary>Read and written (a setpoint).</summary>
    ReadWrite = 1,
}

/// <summary>
/// What a meter's point measures on the secondary side of its instrument transformers, and so which of the device's
/// ratios turn it into the primary-side value telemetry reports: <c>ct_ratio</c> for currents, <c>vt_ratio</c> for
/// voltages, both for power and energy. Written <c>secondary: current|voltage|power</c> in a template.
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<SecondarySide>))]
public enum SecondarySide
{
    /// <summary>Not a secondary-side value: read as is. The default.</summary>
    None = 0,

    /// <summary>A current through a current transformer: multiplied by the device's <c>ct_ratio</c>.</summary>
    Current = 1,

    /// <summary>A voltage through a voltage transformer: multiplied by the device's <c>vt_ratio</c>.</summary>
    Voltage = 2,

    /// <summary>A power or an energy (current × voltage): multiplied by <c>ct_ratio</c> × <c>vt_ratio</c>.</summary>
    Power = 3,
}

/// <summary>
/// One named point of a register map: where it is, how its registers decode, and how the raw value scales:
/// <c>value = raw × scale + offset</c>, unless the raw value is the <see cref="NotAvailable"/> sentinel.
/// </summary>
public sealed record RegisterDefinition
{
    /// <summary>Gets the point's name (<c>soe</c>, <c>target_power</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the first address, 0-based (PDU addressing).</summary>
    public required ushort Address { get; init; }

    /// <summary>Gets the table.</summary>
    /// <value>The default value is <see cref="RegisterKind.Holding"/>.</value>
    public RegisterKind Kind { get; init; } = RegisterKind.Holding;

    /// <summary>Gets how the registers decode. Coils and discrete inputs are always one bit.</summary>
    /// <value>The default value is <see cref="RegisterDataType.UInt16"/>.</value>
    public RegisterDataType DataType { get; init; } = RegisterDataType.UInt16;

    /// <summary>Gets how many registers (or bits) the point takes: the data type's size, or the length of a string.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Gets the byte and word order of multi-register values.</summary>
    /// <value>The default value is <see cref="ByteOrder.ABCD"/> (big-endian).</value>
    public ByteOrder Order { get; init; } = ByteOrder.ABCD;

    /// <summary>Gets the scale factor, when given as a number.</summary>
    /// <value>The default value is 1.</value>
    public double Scale { get; init; } = 1;

    /// <summary>
    /// Gets the key of the scaling block that gives the factor (<c>energy</c>), when the scale is named rather
    /// than given; a template's <c>scaling</c> block overrides the map's.
    /// </summary>
    public string? ScaleKey { get; init; }

    /// <summary>Gets the offset added after scaling.</summary>
    public double Offset { get; init; }

    /// <summary>Gets the unit of the scaled value (<c>kWh</c>).</summary>
    public string? Unit { get; init; }

    /// <summary>Gets whether the point may be written.</summary>
    public RegisterAccess Access { get; init; } = RegisterAccess.Read;

    /// <summary>
    /// Gets the raw value that means "not available" (SunSpec's 0x8000 for int16, 0xFFFF for uint16, ...), compared
    /// with the registers read as one unsigned number; such a reading has no value.
    /// </summary>
    public ulong? NotAvailable { get; init; }

    /// <summary>
    /// Gets the smallest value (scaled, in <see cref="Unit"/>) the point takes, when the map gives one: a write below it
    /// is refused before anything is sent.
    /// </summary>
    public double? Minimum { get; init; }

    /// <summary>
    /// Gets the largest value (scaled, in <see cref="Unit"/>) the point takes, when the map gives one: a write above it
    /// is refused before anything is sent.
    /// </summary>
    public double? Maximum { get; init; }

    /// <summary>
    /// Gets what the point measures on a meter's secondary side, if anything: telemetry multiplies its value by the
    /// device's <c>ct_ratio</c>, <c>vt_ratio</c> or both (a device without those ratios reads it as is).
    /// </summary>
    /// <value>The default value is <see cref="SecondarySide.None"/>.</value>
    public SecondarySide Secondary { get; init; }

    /// <summary>Gets the address after the last register (or bit) of the point.</summary>
    public int End => Address + Count;

    /// <summary>Gets a value indicating whether the point is a bit (a coil or a discrete input).</summary>
    public bool IsBit => Kind is RegisterKind.Coil or RegisterKind.DiscreteInput;

    /// <summary>Says what is wrong with a point on its own (in a template's words), or <see langword="null"/> when nothing is.</summary>
    /// <param name="register">The point.</param>
    internal static string? Problem(RegisterDefinition register)
    {
        if (!DeviceTypeDefinition.IsValidName(register.Name))
        {
            return $"'{register.Name}' is not a register name (lower-case letters, digits and underscores, starting with a letter, at most 32 characters)";
        }

        if (register.IsBit)
        {
            if (register.DataType != RegisterDataType.UInt16 || register.Count != 1)
            {
                return "a coil or discrete input is one bit: give no type or count";
            }

            if (register.Scale != 1 || register.ScaleKey is not null || register.Offset != 0 || register.NotAvailable is not null || register.Secondary != SecondarySide.None)
            {
                return "a coil or discrete input reads as 0 or 1: give no scale, offset, not_available or secondary";
            }
        }
        else if (register.DataType == RegisterDataType.String)
        {
            if (register.Count is < 1 or > 125)
            {
                return $"a string takes 1 to 125 registers, not {register.Count}";
            }

            if (register.NotAvailable is not null)
            {
                return "a string has no not_available value (an empty string reads as missing)";
            }

            if (register.Secondary != SecondarySide.None)
            {
                return "a string is no measurement: give no secondary";
            }
        }
        else if (register.Count != RegisterCodec.RegisterCount(register.DataType))
        {
            return $"a {Templates.TemplateNames.DataType(register.DataType)} takes {RegisterCodec.RegisterCount(register.DataType)} registers, not {register.Count}";
        }
        else if (register.NotAvailable is { } sentinel && register.Count < 4 && sentinel >> (16 * register.Count) != 0)
        {
            return $"not_available {sentinel} does not fit a {Templates.TemplateNames.DataType(register.DataType)} ({16 * register.Count} bits)";
        }

        if (register.End > 65536)
        {
            return $"address {register.Address} and {register.Count} registers run past 65535";
        }

        if (!double.IsFinite(register.Scale) || !double.IsFinite(register.Offset))
        {
            return "scale and offset must be finite numbers";
        }

        if (register.Minimum is { } min && !double.IsFinite(min) || register.Maximum is { } max && !double.IsFinite(max))
        {
            return "min and max must be finite numbers";
        }

        if (register.Minimum > register.Maximum)
        {
            return $"min {register.Minimum} is greater than max {register.Maximum}";
        }

        if (register.IsBit && (register.Minimum is not null || register.Maximum is not null))
        {
            return "a coil or discrete input reads as 0 or 1: give no min or max";
        }

        if (register.DataType == RegisterDataType.String && (register.Minimum is not null || register.Maximum is not null))
        {
            return "a string has no min or max";
        }

        if (register.Access == RegisterAccess.ReadWrite && register.Kind is RegisterKind.Input or RegisterKind.DiscreteInput)
        {
            return "input registers and discrete inputs are read-only: access must be read";
        }

        return null;
    }
}
