namespace Flux.Devices.Modbus.Server;

/// <summary>A request a server received, as recorded when <see cref="ModbusTcpServerOptions.RecordRequests"/> is on.</summary>
public readonly record struct ModbusRequestRecord
{
    /// <summary>Gets the unit id.</summary>
    public required byte UnitId { get; init; }

    /// <summary>Gets the function code.</summary>
    public required byte FunctionCode { get; init; }

    /// <summary>Gets the first address (for function 43, 0).</summary>
    public required ushort Address { get; init; }

    /// <summary>Gets the quantity (1 for single writes; for function 43, 0).</summary>
    public required ushort Quantity { get; init; }
}
