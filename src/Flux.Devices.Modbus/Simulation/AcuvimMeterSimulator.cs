using Flux.Devices.Modbus.Server;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Modbus.Simulation;

/// <summary>
/// A simulated Accuenergy Acuvim II three-phase meter, serving the <c>acuvim2_standard</c> subset of its map as
/// holding registers (function 3), big-endian (ABCD):
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>address</term><description>point</description></listheader>
/// <item><term>0x4000 (16384)</term><description>frequency, float32 Hz</description></item>
/// <item><term>0x4002, 0x4004, 0x4006</term><description>phase voltages V1, V2, V3, float32 V; 0x4008 their average</description></item>
/// <item><term>0x400A, 0x400C, 0x400E</term><description>line voltages V12, V23, V31, float32 V; 0x4010 their average</description></item>
/// <item><term>0x4012, 0x4014, 0x4016</term><description>currents I1, I2, I3, float32 A; 0x4018 average; 0x401A neutral</description></item>
/// <item><term>0x401C, 0x401E, 0x4020</term><description>active power per phase, float32 W; 0x4022 total</description></item>
/// <item><term>0x4024 .. 0x402A</term><description>reactive power per phase and total, float32 var</description></item>
/// <item><term>0x402C .. 0x4032</term><description>apparent power per phase and total, float32 VA</description></item>
/// <item><term>0x4034 .. 0x403A</term><description>power factor per phase and total, float32</description></item>
/// <item><term>0x4048</term><description>imported active energy, uint32, 0.1 kWh</description></item>
/// <item><term>0x404A</term><description>exported active energy, uint32, 0.1 kWh</description></item>
/// </list>
/// <para>
/// 0x4000..0x404B is mapped, so one read covers the whole <c>acuvim2_standard</c> map as on the meter; the
/// registers between the real-time block and the energy block (0x403C..0x4047: load nature, unbalance factors,
/// demands) are not simulated and read as 0. Power follows
/// <see cref="ActivePowerW"/> (positive imports) with a small ripple over time; energy integrates it.
/// </para>
/// </remarks>
public sealed class AcuvimMeterSimulator : ModbusUnit
{
    /// <summary>The address of the frequency.</summary>
    public const ushort FrequencyAddress = 0x4000;

    /// <summary>The address of total active power.</summary>
    public const ushort TotalActivePowerAddress = 0x4022;

    /// <summary>The address of imported active energy.</summary>
    public const ushort ImportedEnergyAddress = 0x4048;

    /// <summary>The address of exported active energy.</summary>
    public const ushort ExportedEnergyAddress = 0x404A;

    private readonly TimeProvider _time;
    private readonly long _start;
    private long _lastUpdate;
    private double _importedWh;
    private double _exportedWh;

    /// <summary>Initializes a new instance of the <see cref="AcuvimMeterSimulator"/> class.</summary>
    /// <param name="timeProvider">The clock that moves the values; <see langword="null"/> for the system clock.</param>
    /// <param name="activePowerW">The total active power to simulate, in W (positive imports).</param>
    public AcuvimMeterSimulator(TimeProvider? timeProvider = null, double activePowerW = 42_000)
    {
        _time = timeProvider ?? TimeProvider.System;
        _start = _lastUpdate = _time.GetTimestamp();
        ActivePowerW = activePowerW;
        Map(ModbusTable.HoldingRegisters, FrequencyAddress, 0x4C);
        Identification[0x00] = "Accuenergy";
        Identification[0x01] = "Acuvim-II";
        Identification[0x02] = "3.0.4";
        lock (SyncRoot)
        {
            Publish(0);
        }
    }

    /// <summary>Gets or sets the total active power simulated, in W (positive imports, negative exports).</summary>
    public double ActivePowerW { get; set; }

    /// <inheritdoc />
    protected override void OnReading(ModbusTable table, ushort start, int count)
    {
        var now = _time.GetTimestamp();
        var hours = _time.GetElapsedTime(_lastUpdate, now).TotalHours;
        _lastUpdate = now;
        if (ActivePowerW >= 0)
        {
            _importedWh += ActivePowerW * hours;
        }
        else
        {
            _exportedWh -= ActivePowerW * hours;
        }

        Publish(_time.GetElapsedTime(_start, now).TotalSeconds);
    }

    private void Publish(double seconds)
    {
        var ripple = Math.Sin(seconds / 10);
        var power = ActivePowerW * (1 + (0.01 * ripple));
        var phaseVoltage = 230 + (0.5 * ripple);
        var lineVoltage = phaseVoltage * Math.Sqrt(3);
        var current = Math.Abs(power) / 3 / phaseVoltage / 0.98;
        double[] values =
        [
            50 + (0.01 * ripple),                                                   // 0x4000 frequency
            phaseVoltage, phaseVoltage, phaseVoltage, phaseVoltage,                 // 0x4002..0x4008
            lineVoltage, lineVoltage, lineVoltage, lineVoltage,                     // 0x400A..0x4010
            current, current, current, current, 0.1,                                // 0x4012..0x401A
            power / 3, power / 3, power / 3, power,                                 // 0x401C..0x4022
            power * 0.07, power * 0.07, power * 0.07, power * 0.2,                  // 0x4024..0x402A (per phase, total)
            power / 3 / 0.98, power / 3 / 0.98, power / 3 / 0.98, power / 0.98,     // 0x402C..0x4032
            0.98, 0.98, 0.98, 0.98,                                                 // 0x4034..0x403A
        ];
        Span<ushort> registers = stackalloc ushort[2 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            RegisterCodec.WriteSingle(registers[(2 * i)..], (float)values[i]);
        }

        SetRegisters(ModbusTable.HoldingRegisters, FrequencyAddress, registers);
        Span<ushort> energy = stackalloc ushort[4];
        RegisterCodec.WriteUInt32(energy, (uint)(_importedWh / 100));
        RegisterCodec.WriteUInt32(energy[2..], (uint)(_exportedWh / 100));
        SetRegisters(ModbusTable.HoldingRegisters, ImportedEnergyAddress, energy);
    }
}
