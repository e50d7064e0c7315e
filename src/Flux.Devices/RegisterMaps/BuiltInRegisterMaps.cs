namespace Flux.Devices.RegisterMaps;

/// <summary>The register maps Flux.Devices knows without configuration.</summary>
public static class BuiltInRegisterMaps
{
    /// <summary>Gets the map of the spec's PowerPack BESS (<c>templates/powerpack_bess.yaml</c>), holding registers, big-endian.</summary>
    /// <remarks>
    /// <list type="table">
    /// <item><term>status</term><description>2000, uint16: 0 standby, 1 charging, 2 discharging, 3 fault.</description></item>
    /// <item><term>target_power</term><description>2008, int16, kW, scaled by <c>power</c>, read-write: positive discharges.</description></item>
    /// <item><term>soe</term><description>2026..2027, uint32 in Wh, scaled by <c>energy</c> (0.001 gives kWh).</description></item>
    /// <item><term>available_blocks</term><description>2028, uint16.</description></item>
    /// </list>
    /// </remarks>
    public static RegisterMap PowerPackBess { get; } = new(
        "powerpack_bess",
        [
            new RegisterDefinition { Name = "status", Address = 2000 },
            new RegisterDefinition { Name = "target_power", Address = 2008, DataType = RegisterDataType.Int16, ScaleKey = "power", Unit = "kW", Access = RegisterAccess.ReadWrite },
            new RegisterDefinition { Name = "soe", Address = 2026, DataType = RegisterDataType.UInt32, Count = 2, ScaleKey = "energy", Unit = "kWh" },
            new RegisterDefinition { Name = "available_blocks", Address = 2028 },
        ],
        new Dictionary<string, double> { ["power"] = 1.0, ["energy"] = 0.001 },
        "PowerPack BESS, as in the spec's powerpack_bess.yaml");

    /// <summary>
    /// Gets a documented subset of the Accuenergy Acuvim II map (holding registers, big-endian): real-time floats from
    /// 0x4000 and active energy from 0x4048.
    /// </summary>
    /// <remarks>
    /// Frequency (Hz), phase voltages V1..V3 and their average, line voltages V12, V23, V31 and their average (V),
    /// currents I1..I3, average and neutral (A), active power per phase and total (W), reactive power total (var),
    /// apparent power total (VA), power factor total: float32. Imported and exported active energy: uint32 in
    /// 0.1 kWh, scaled by <c>energy</c> (0.1) to kWh.
    /// <para>
    /// The map reads the meter's values as secondary-side values (<see cref="RegisterDefinition.Secondary"/>):
    /// telemetry multiplies voltages by the device's <c>vt_ratio</c>, currents by its <c>ct_ratio</c>, and power and
    /// energy by both; frequency and power factor are read as they are. A meter programmed with its own PT/CT ratios
    /// (so that it reports primary values) is registered with <c>ct_ratio: 1</c> and <c>vt_ratio: 1</c>.
    /// </para>
    /// </remarks>
    public static RegisterMap Acuvim2Standard { get; } = new(
        "acuvim2_standard",
        [
            Float("frequency", 0x4000, "Hz"),
            Float("voltage_v1", 0x4002, "V", SecondarySide.Voltage),
            Float("voltage_v2", 0x4004, "V", SecondarySide.Voltage),
            Float("voltage_v3", 0x4006, "V", SecondarySide.Voltage),
            Float("voltage_phase_avg", 0x4008, "V", SecondarySide.Voltage),
            Float("voltage_v12", 0x400A, "V", SecondarySide.Voltage),
            Float("voltage_v23", 0x400C, "V", SecondarySide.Voltage),
            Float("voltage_v31", 0x400E, "V", SecondarySide.Voltage),
            Float("voltage_line_avg", 0x4010, "V", SecondarySide.Voltage),
            Float("current_i1", 0x4012, "A", SecondarySide.Current),
            Float("current_i2", 0x4014, "A", SecondarySide.Current),
            Float("current_i3", 0x4016, "A", SecondarySide.Current),
            Float("current_avg", 0x4018, "A", SecondarySide.Current),
            Float("current_neutral", 0x401A, "A", SecondarySide.Current),
            Float("power_a", 0x401C, "W", SecondarySide.Power),
            Float("power_b", 0x401E, "W", SecondarySide.Power),
            Float("power_c", 0x4020, "W", SecondarySide.Power),
            Float("power_total", 0x4022, "W", SecondarySide.Power),
            Float("reactive_power_total", 0x402A, "var", SecondarySide.Power),
            Float("apparent_power_total", 0x4032, "VA", SecondarySide.Power),
            Float("power_factor_total", 0x403A, null),
            new RegisterDefinition { Name = "energy_import", Address = 0x4048, DataType = RegisterDataType.UInt32, Count = 2, ScaleKey = "energy", Unit = "kWh", Secondary = SecondarySide.Power },
            new RegisterDefinition { Name = "energy_export", Address = 0x404A, DataType = RegisterDataType.UInt32, Count = 2, ScaleKey = "energy", Unit = "kWh", Secondary = SecondarySide.Power },
        ],
        new Dictionary<string, double> { ["energy"] = 0.1 },
        "Accuenergy Acuvim II: a documented subset (voltages, currents, power, energy, frequency)");

    /// <summary>Gets every built-in map.</summary>
    public static IReadOnlyList<RegisterMap> All { get; } = [PowerPackBess, Acuvim2Standard];

    /// <summary>Gets a provider of the built-in maps alone, for a <c>DeviceTemplateLoader</c> made without a container.</summary>
    public static IRegisterMapProvider Provider { get; } = new BuiltInProvider();

    private static RegisterDefinition Float(string name, ushort address, string? unit, SecondarySide secondary = SecondarySide.None) =>
        new() { Name = name, Address = address, DataType = RegisterDataType.Float32, Count = 2, Unit = unit, Secondary = secondary };

    private sealed class BuiltInProvider : IRegisterMapProvider
    {
        public IReadOnlyCollection<string> Names { get; } = [.. All.Select(m => m.Name).Order(StringComparer.Ordinal)];

        public RegisterMap? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal));
    }
}
