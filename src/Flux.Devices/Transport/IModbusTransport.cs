namespace Flux.Devices.Transport;

/// <summary>
/// Reads and writes Modbus data on devices: coils, discrete inputs, holding and input registers, and device
/// identification. The Flux.Devices.Modbus package provides the Modbus TCP implementation; a host may bring
/// another (a gateway, a serial line) by implementing this interface.
/// </summary>
/// <remarks>
/// <para>
/// Addresses are 0-based protocol (PDU) addresses: holding register "40001" in the 1-based convention of many
/// manuals is address 0 here. Reads fill a caller-provided buffer, whose length is the quantity read.
/// Quantities outside the protocol's limits are refused with <see cref="ArgumentOutOfRangeException"/> before
/// anything is sent: 1..2000 bits and 1..125 registers per read, 1..1968 coils and 1..123 registers per write.
/// </para>
/// <para>
/// Failures are typed: <see cref="ModbusException"/> (the device refused the request),
/// <see cref="ModbusTimeoutException"/> (our deadline passed), <see cref="ModbusTransportException"/> (the
/// connection failed), <see cref="ModbusProtocolException"/> (the reply was malformed) and, for writes sent but
/// not confirmed, <see cref="ModbusWriteOutcomeUnknownException"/>. The caller's cancellation surfaces as
/// <see cref="OperationCanceledException"/>. Implementations are safe for concurrent use.
/// </para>
/// </remarks>
public interface IModbusTransport
{
    /// <summary>Reads coils (function 1).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="startAddress">The first coil.</param>
    /// <param name="destination">Receives one value per coil; its length (1..2000) is the quantity read.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when <paramref name="destination"/> is filled.</returns>
    ValueTask ReadCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default);

    /// <summary>Reads discrete inputs (function 2).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="startAddress">The first input.</param>
    /// <param name="destination">Receives one value per input; its length (1..2000) is the quantity read.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when <paramref name="destination"/> is filled.</returns>
    ValueTask ReadDiscreteInputsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default);

    /// <summary>Reads holding registers (function 3).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="startAddress">The first register.</param>
    /// <param name="destination">Receives one value per register; its length (1..125) is the quantity read.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when <paramref name="destination"/> is filled.</returns>
    ValueTask ReadHoldingRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default);

    /// <summary>Reads input registers (function 4).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="startAddress">The first register.</param>
    /// <param name="destination">Receives one value per register; its length (1..125) is the quantity read.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when <paramref name="destination"/> is filled.</returns>
    ValueTask ReadInputRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default);

    /// <summary>Writes one coil (function 5).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="address">The coil.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the device confirmed the write.</returns>
    ValueTask WriteSingleCoilAsync(ModbusEndpoint endpoint, byte unitId, ushort address, bool value, CancellationToken cancellationToken = default);

    /// <summary>Writes one holding register (function 6).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="address">The register.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the device confirmed the write.</returns>
    ValueTask WriteSingleRegisterAsync(ModbusEndpoint endpoint, byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default);

    /// <summary>Writes coils (function 15).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="startAddress">The first coil.</param>
    /// <param name="values">The values; 1..1968 of them.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the device confirmed the write.</returns>
    ValueTask WriteMultipleCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default);

    /// <summary>Writes holding registers (function 16).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="startAddress">The first register.</param>
    /// <param name="values">The values; 1..123 of them.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the device confirmed the write.</returns>
    ValueTask WriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default);

    /// <summary>Writes holding registers, then reads holding registers, in one request (function 23).</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="readStartAddress">The first register to read.</param>
    /// <param name="readDestination">Receives the registers read; its length (1..125) is the quantity read.</param>
    /// <param name="writeStartAddress">The first register to write.</param>
    /// <param name="values">The values to write; 1..121 of them.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when <paramref name="readDestination"/> is filled.</returns>
    ValueTask ReadWriteMultipleRegistersAsync(
        ModbusEndpoint endpoint,
        byte unitId,
        ushort readStartAddress,
        Memory<ushort> readDestination,
        ushort writeStartAddress,
        ReadOnlyMemory<ushort> values,
        CancellationToken cancellationToken = default);

    /// <summary>Reads the device's identification objects (function 43, MEI type 14), following "more follows" until all are read.</summary>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="category">Which objects: basic (vendor, product code, revision), regular or extended.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The objects the device reported.</returns>
    ValueTask<DeviceIdentification> ReadDeviceIdentificationAsync(
        ModbusEndpoint endpoint,
        byte unitId,
        DeviceIdentificationCategory category = DeviceIdentificationCategory.Basic,
        CancellationToken cancellationToken = default);
}
