using Flux.Devices.Modbus.Server;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Modbus.Simulation;

/// <summary>What a <see cref="SunSpecSimulator"/> presents after its common model.</summary>
public enum SunSpecDeviceKind
{
    /// <summary>A battery: model 802 (battery base).</summary>
    Battery = 0,

    /// <summary>A three-phase wye meter: model 203.</summary>
    Meter = 1,
}

/// <summary>
/// A simulated SunSpec device, for discovery: the marker <c>SunS</c> (0x53756E53) at the base address, model 1
/// (common: manufacturer, model, version, serial number), then model 802 (battery) or 203 (wye meter), then the end
/// model 0xFFFF with length 0. Holding registers, big-endian.
/// </summary>
public sealed class SunSpecSimulator : ModbusUnit
{
    /// <summary>The SunSpec marker, "SunS", as two registers.</summary>
    public static readonly IReadOnlyList<ushort> Marker = [0x5375, 0x6E53];

    /// <summary>Initializes a new instance of the <see cref="SunSpecSimulator"/> class.</summary>
    /// <param name="kind">What to present after the common model.</param>
    /// <param name="baseAddress">Where the marker is: 40000 (the usual), 0 or 50000.</param>
    /// <param name="manufacturer">Model 1 <c>Mn</c>.</param>
    /// <param name="model">Model 1 <c>Md</c>.</param>
    /// <param name="serialNumber">Model 1 <c>SN</c>.</param>
    /// <param name="version">Model 1 <c>Vr</c>.</param>
    public SunSpecSimulator(
        SunSpecDeviceKind kind = SunSpecDeviceKind.Battery,
        ushort baseAddress = 40000,
        string manufacturer = "SunSpecSim",
        string model = "SIM-BESS-1",
        string serialNumber = "SN0001",
        string version = "1.0.0")
    {
        Kind = kind;
        BaseAddress = baseAddress;
        var registers = new List<ushort>();
        registers.AddRange(Marker);

        // Model 1, common: ID, L=66, Mn[16] Md[16] Opt[8] Vr[8] SN[16] DA Pad.
        registers.AddRange([1, 66]);
        registers.AddRange(Text(manufacturer, 16));
        registers.AddRange(Text(model, 16));
        registers.AddRange(Text(string.Empty, 8));
        registers.AddRange(Text(version, 8));
        registers.AddRange(Text(serialNumber, 16));
        registers.AddRange([1, 0x8000]);

        if (kind == SunSpecDeviceKind.Battery)
        {
            // Model 802, battery base (L=62): AHRtg, WHRtg (SF -> +53), WChaRteMax, WDisChaRteMax, ..., SoC at +11.
            var battery = new ushort[64];
            battery[0] = 802;
            battery[1] = 62;
            battery[2] = 1000;  // AHRtg
            battery[3] = 500;   // WHRtg, x10^3 with WHRtg_SF = 3 -> 500 kWh
            battery[4] = 100;   // WChaRteMax, x10^3 -> 100 kW
            battery[5] = 100;   // WDisChaRteMax
            battery[11] = 55;   // SoC %, SF 0
            battery[13] = 98;   // SoH %
            battery[16] = 6;    // ChaSt: HOLDING
            battery[21] = 4;    // Typ: LITHIUM_ION
            battery[22] = 3;    // State: CONNECTED
            battery[53] = 3;    // WHRtg_SF
            battery[54] = 3;    // WChaDisChaMax_SF
            registers.AddRange(battery);
        }
        else
        {
            // Model 203, wye-connect three-phase meter (L=105): A, AphA..C, A_SF, PhV..., Hz, W at +18, W_SF at +22, PF at +33,
            // TotWhExp at +38, TotWhImp at +46, TotWh_SF at +54; the rest not implemented.
            var meter = new ushort[107];
            meter[0] = 203;
            meter[1] = 105;
            meter[2] = 600;          // A, SF -1 -> 60.0 A
            meter[3] = meter[4] = meter[5] = 200;
            meter[6] = unchecked((ushort)-1);  // A_SF
            meter[7] = 2300;         // PhV, SF -1 -> 230.0 V
            meter[8] = meter[9] = meter[10] = 2300;
            meter[15] = unchecked((ushort)-1); // V_SF
            meter[16] = 5000;        // Hz, SF -2 -> 50.00
            meter[17] = unchecked((ushort)-2);
            meter[18] = 4200;        // W, SF 1 -> 42 kW
            meter[19] = meter[20] = meter[21] = 1400;
            meter[22] = 1;           // W_SF
            meter[33] = 980;         // PF, SF -1 -> 98.0 %
            meter[37] = unchecked((ushort)-1); // PF_SF
            meter[38] = 0x0001;      // TotWhExp (acc32) = 0x0001E240 = 123456, SF 0 -> 123456 Wh
            meter[39] = 0xE240;
            meter[46] = 0x0012;      // TotWhImp (acc32) = 0x0012D687 = 1234567 Wh
            meter[47] = 0xD687;
            meter[54] = 0;           // TotWh_SF
            registers.AddRange(meter);
        }

        registers.AddRange([0xFFFF, 0]);
        SetRegisters(ModbusTable.HoldingRegisters, baseAddress, registers.ToArray());
        Identification[0x00] = manufacturer;
        Identification[0x01] = model;
        Identification[0x02] = version;
    }

    /// <summary>Gets what the device presents after its common model.</summary>
    public SunSpecDeviceKind Kind { get; }

    /// <summary>Gets the address of the marker.</summary>
    public ushort BaseAddress { get; }

    private static ushort[] Text(string value, int registers)
    {
        var result = new ushort[registers];
        RegisterCodec.WriteString(result, value);
        return result;
    }
}
