namespace Flux.Devices.Modbus.Server;

/// <summary>A request a server received, as recorded when <see cref="ModbusTcpServerOptions.RecordRequests"/> is on.</summary>
/// <param name="UnitId">The unit id.</param>
/// <param name="FunctionCode">The function code.</param>
/// <param name="Address">The first address (for function 43, 0).</param>
/// <param name="Quantity">The quantity (1 for single writes; for function 43, 0).</param>
public readonly record struct ModbusRequestRecord(byte UnitId, byte FunctionCode, ushort Address, ushort Quantity);
