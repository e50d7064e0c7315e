using Flux.Devices.Modbus.Server;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Simulation;

/// <summary>
/// A simulated PowerPack BESS on the spec's <c>powerpack_bess.yaml</c> addresses (holding registers, big-endian):
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>address</term><description>point</description></listheader>
/// <item><term>2000</term><description><c>status</c>, uint16: 0 standby, 1 charging, 2 discharging, 3 fault.</description></item>
/// <item><term>2008</term><description><c>target_power</c>, int16 kW, read-write: positive discharges, negative charges; outside ±<see cref="MaxPowerKw"/> is refused (exception 03).</description></item>
/// <item><term>2026..2027</term><description><c>soe</c>, uint32 Wh (state of energy; the spec's energy scaling 0.001 gives kWh).</description></item>
/// <item><term>2028</term><description><c>available_blocks</c>, uint16.</description></item>
/// </list>
/// <para>
/// The whole block 2000..2028 is mapped (other addresses read 0), so the map reads in one request. The state of
/// energy moves with the target power as time passes on the <see cref="TimeProvider"/>, between 0 and
/// <see cref="CapacityKwh"/>.
/// </para>
/// </remarks>
public sealed class PowerPackBessSimulator : ModbusUnit
{
    /// <summary>The address of <c>status</c>.</summary>
    public const ushort StatusAddress = 2000;

    /// <summary>The address of <c>target_power</c>.</summary>
    public const ushort TargetPowerAddress = 2008;

    /// <summary>The address of <c>soe</c> (two registers).</summary>
    public const ushort SoeAddress = 2026;

    /// <summary>The address of <c>available_blocks</c>.</summary>
    public const ushort AvailableBlocksAddress = 2028;

    private readonly TimeProvider _time;
    private long _lastUpdate;
    private double _energyWh;

    /// <summary>Initializes a new instance of the <see cref="PowerPackBessSimulator"/> class.</summary>
    /// <param name="timeProvider">The clock that moves the state of energy; <see langword="null"/> for the system clock.</param>
    /// <param name="capacityKwh">The capacity.</param>
    /// <param name="maxPowerKw">The largest target power accepted.</param>
    /// <param name="initialSoe">The initial state of energy, 0..1.</param>
    public PowerPackBessSimulator(TimeProvider? timeProvider = null, double capacityKwh = 500, double maxPowerKw = 100, double initialSoe = 0.5)
    {
        _time = timeProvider ?? TimeProvider.System;
        CapacityKwh = capacityKwh;
        MaxPowerKw = maxPowerKw;
        _energyWh = capacityKwh * 1000 * initialSoe;
        _lastUpdate = _time.GetTimestamp();
        Map(ModbusTable.HoldingRegisters, StatusAddress, AvailableBlocksAddress - StatusAddress + 1);
        SetRegisters(ModbusTable.HoldingRegisters, AvailableBlocksAddress, [10]);
        Identification[0x00] = "PowerPack";
        Identification[0x01] = "PP-500";
        Identification[0x02] = "2.1.3";
        lock (SyncRoot)
        {
            Publish(0);
        }
    }

    /// <summary>Gets the capacity in kWh.</summary>
    public double CapacityKwh { get; }

    /// <summary>Gets the largest target power accepted, in kW.</summary>
    public double MaxPowerKw { get; }

    /// <summary>Gets the state of energy now, in kWh.</summary>
    public double EnergyKwh
    {
        get
        {
            lock (SyncRoot)
            {
                Advance();
                return _energyWh / 1000;
            }
        }
    }

    /// <inheritdoc />
    protected override void OnReading(ModbusTable table, ushort start, int count) => Advance();

    /// <inheritdoc />
    protected override ModbusExceptionCode? OnWriting(ModbusTable table, ushort start, ReadOnlySpan<ushort> values)
    {
        if (table != ModbusTable.HoldingRegisters)
        {
            return null;
        }

        if (start == TargetPowerAddress && values.Length == 1)
        {
            var kw = (short)values[0];
            if (Math.Abs((int)kw) > MaxPowerKw)
            {
                return ModbusExceptionCode.IllegalDataValue;
            }

            Advance(); // account for the energy moved at the old power first
            Publish(kw);
            return null;
        }

        // Everything else in the block is read-only.
        return ModbusExceptionCode.IllegalDataAddress;
    }

    private void Advance()
    {
        var now = _time.GetTimestamp();
        var hours = _time.GetElapsedTime(_lastUpdate, now).TotalHours;
        _lastUpdate = now;
        Span<ushort> target = stackalloc ushort[1];
        TryGetRegisters(ModbusTable.HoldingRegisters, TargetPowerAddress, target);
        var kw = (short)target[0];
        _energyWh = Math.Clamp(_energyWh - (kw * 1000 * hours), 0, CapacityKwh * 1000);
        Publish(kw);
    }

    private void Publish(short kw)
    {
        Span<ushort> soe = stackalloc ushort[2];
        RegisterCodec.WriteUInt32(soe, (uint)Math.Round(_energyWh));
        SetRegisters(ModbusTable.HoldingRegisters, SoeAddress, soe);
        SetRegisters(ModbusTable.HoldingRegisters, TargetPowerAddress, [(ushort)kw]);
        ushort status = kw switch { > 0 => 2, < 0 => 1, _ => 0 };
        SetRegisters(ModbusTable.HoldingRegisters, StatusAddress, [status]);
    }
}
