using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Server;

/// <summary>The four data tables of a Modbus device.</summary>
public enum ModbusTable
{
    /// <summary>Read-write bits (functions 1, 5, 15).</summary>
    Coils = 0,

    /// <summary>Read-only bits (function 2).</summary>
    DiscreteInputs = 1,

    /// <summary>Read-write registers (functions 3, 6, 16, 23).</summary>
    HoldingRegisters = 2,

    /// <summary>Read-only registers (function 4).</summary>
    InputRegisters = 3,
}

/// <summary>
/// One device (unit id) served by a <see cref="ModbusTcpServer"/>: the address ranges it maps in each table, their
/// values, its identification objects and its fault knobs. Reading or writing an address it does not map gets the
/// exception reply 02 (illegal data address), as real devices do. Derive from it to simulate a device whose values
/// move (<see cref="OnReading"/>) or whose writes are checked (<see cref="OnWriting"/>).
/// </summary>
/// <remarks>All access is serialised by one lock per unit, so values read in one request are consistent.</remarks>
public class ModbusUnit
{
    private readonly RegisterBank<bool> _coils = new();
    private readonly RegisterBank<bool> _discreteInputs = new();
    private readonly RegisterBank<ushort> _holdingRegisters = new();
    private readonly RegisterBank<ushort> _inputRegisters = new();

    /// <summary>Gets the lock that serialises access to the unit's data; hold it to change several values together.</summary>
    public Lock SyncRoot { get; } = new();

    /// <summary>Gets the unit's fault knobs, for tests of clients' error paths.</summary>
    public ModbusFaults Faults { get; } = new();

    /// <summary>
    /// Gets the identification objects returned by function 43/14, by object id: 0x00 vendor name, 0x01 product
    /// code, 0x02 revision (the basic set), 0x03..0x06 the regular set, 0x80.. private objects.
    /// </summary>
    public IDictionary<byte, string> Identification { get; } = new SortedDictionary<byte, string>();

    /// <summary>Maps an address range of a table, with zero values; mapping an overlapping range extends it.</summary>
    /// <param name="table">The table.</param>
    /// <param name="start">The first address.</param>
    /// <param name="count">How many addresses.</param>
    public void Map(ModbusTable table, ushort start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, 65536, nameof(count));
        lock (SyncRoot)
        {
            if (table is ModbusTable.Coils or ModbusTable.DiscreteInputs)
            {
                Bits(table).Map(start, count);
            }
            else
            {
                Registers(table).Map(start, count);
            }
        }
    }

    /// <summary>Sets register values (mapping the range if needed).</summary>
    /// <param name="table">The table: holding or input registers.</param>
    /// <param name="start">The first address.</param>
    /// <param name="values">The values.</param>
    public void SetRegisters(ModbusTable table, ushort start, ReadOnlySpan<ushort> values)
    {
        lock (SyncRoot)
        {
            var bank = Registers(table);
            bank.Map(start, values.Length);
            bank.TryWrite(start, values);
        }
    }

    /// <summary>Sets bit values (mapping the range if needed).</summary>
    /// <param name="table">The table: coils or discrete inputs.</param>
    /// <param name="start">The first address.</param>
    /// <param name="values">The values.</param>
    public void SetBits(ModbusTable table, ushort start, ReadOnlySpan<bool> values)
    {
        lock (SyncRoot)
        {
            var bank = Bits(table);
            bank.Map(start, values.Length);
            bank.TryWrite(start, values);
        }
    }

    /// <summary>Gets register values.</summary>
    /// <param name="table">The table: holding or input registers.</param>
    /// <param name="start">The first address.</param>
    /// <param name="destination">Receives the values.</param>
    /// <returns><see langword="false"/> when part of the range is not mapped.</returns>
    public bool TryGetRegisters(ModbusTable table, ushort start, Span<ushort> destination)
    {
        lock (SyncRoot)
        {
            return Registers(table).TryRead(start, destination);
        }
    }

    /// <summary>Gets bit values.</summary>
    /// <param name="table">The table: coils or discrete inputs.</param>
    /// <param name="start">The first address.</param>
    /// <param name="destination">Receives the values.</param>
    /// <returns><see langword="false"/> when part of the range is not mapped.</returns>
    public bool TryGetBits(ModbusTable table, ushort start, Span<bool> destination)
    {
        lock (SyncRoot)
        {
            return Bits(table).TryRead(start, destination);
        }
    }

    /// <summary>Serves a register read: refreshes moving values, then copies.</summary>
    internal ModbusExceptionCode? ReadRegisters(ModbusTable table, ushort start, Span<ushort> destination)
    {
        lock (SyncRoot)
        {
            OnReading(table, start, destination.Length);
            return Registers(table).TryRead(start, destination) ? null : ModbusExceptionCode.IllegalDataAddress;
        }
    }

    /// <summary>Serves a bit read.</summary>
    internal ModbusExceptionCode? ReadBits(ModbusTable table, ushort start, Span<bool> destination)
    {
        lock (SyncRoot)
        {
            OnReading(table, start, destination.Length);
            return Bits(table).TryRead(start, destination) ? null : ModbusExceptionCode.IllegalDataAddress;
        }
    }

    /// <summary>Serves a register write: the whole range must be mapped and accepted, or nothing is written.</summary>
    internal ModbusExceptionCode? WriteRegisters(ushort start, ReadOnlySpan<ushort> values)
    {
        lock (SyncRoot)
        {
            if (!_holdingRegisters.IsMapped(start, values.Length))
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            if (OnWriting(ModbusTable.HoldingRegisters, start, values) is { } refused)
            {
                return refused;
            }

            _holdingRegisters.TryWrite(start, values);
            return null;
        }
    }

    /// <summary>Serves function 23: both ranges must be valid before anything is written; write, then read, under one lock.</summary>
    internal ModbusExceptionCode? WriteThenReadRegisters(ushort writeStart, ReadOnlySpan<ushort> values, ushort readStart, Span<ushort> destination)
    {
        lock (SyncRoot)
        {
            if (!_holdingRegisters.IsMapped(readStart, destination.Length))
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            return WriteRegisters(writeStart, values) ?? ReadRegisters(ModbusTable.HoldingRegisters, readStart, destination);
        }
    }

    /// <summary>Serves a coil write.</summary>
    internal ModbusExceptionCode? WriteCoils(ushort start, ReadOnlySpan<bool> values)
    {
        lock (SyncRoot)
        {
            if (!_coils.IsMapped(start, values.Length))
            {
                return ModbusExceptionCode.IllegalDataAddress;
            }

            Span<ushort> asRegisters = stackalloc ushort[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                asRegisters[i] = values[i] ? (ushort)1 : (ushort)0;
            }

            if (OnWriting(ModbusTable.Coils, start, asRegisters) is { } refused)
            {
                return refused;
            }

            _coils.TryWrite(start, values);
            return null;
        }
    }

    /// <summary>
    /// Called under <see cref="SyncRoot"/> before a read is served, to bring moving values up to date.
    /// </summary>
    /// <param name="table">The table being read.</param>
    /// <param name="start">The first address.</param>
    /// <param name="count">How many addresses.</param>
    protected virtual void OnReading(ModbusTable table, ushort start, int count)
    {
    }

    /// <summary>
    /// Called under <see cref="SyncRoot"/> before a write is applied; return an exception code to refuse it
    /// (nothing is written), or <see langword="null"/> to accept it.
    /// </summary>
    /// <param name="table">The table: holding registers or coils (coils as 0/1).</param>
    /// <param name="start">The first address.</param>
    /// <param name="values">The values to be written.</param>
    /// <returns>The exception code to refuse with, or <see langword="null"/>.</returns>
    protected virtual ModbusExceptionCode? OnWriting(ModbusTable table, ushort start, ReadOnlySpan<ushort> values) => null;

    private RegisterBank<ushort> Registers(ModbusTable table) => table switch
    {
        ModbusTable.HoldingRegisters => _holdingRegisters,
        ModbusTable.InputRegisters => _inputRegisters,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Not a register table."),
    };

    private RegisterBank<bool> Bits(ModbusTable table) => table switch
    {
        ModbusTable.Coils => _coils,
        ModbusTable.DiscreteInputs => _discreteInputs,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Not a bit table."),
    };
}
