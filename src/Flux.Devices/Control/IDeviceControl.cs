using Flux.Devices.Transport;

namespace Flux.Devices.Control;

/// <summary>
/// Writes setpoints to devices (<c>target_power</c> of a BESS): checked against the device's state, its register map
/// and its ratings, sent with the right function code, read back to confirm, and recorded in the device's history.
/// Registered by <c>UseModbusTcp()</c> / <c>UseTransport(...)</c> on the <c>AddFluxDevices()</c> builder.
/// </summary>
/// <remarks>
/// <para>
/// A write is refused (and the refusal recorded) unless the device is <see cref="DeviceState.Active"/>: this is the
/// lifecycle's "disable control" for maintenance, failed, testing and the other states. Only points the device's
/// register map marks <see cref="RegisterMaps.RegisterAccess.ReadWrite"/> are written. The value goes back through
/// the point's scale and offset (<c>raw = (value - offset) / scale</c>, rounded for integer types) and must keep to
/// the point's <see cref="RegisterMaps.RegisterDefinition.Minimum"/> and <see cref="RegisterMaps.RegisterDefinition.Maximum"/>,
/// to its data type, and for a BESS <c>target_power</c> to ±<c>max_power_kw</c> of its metadata.
/// </para>
/// <para>
/// Every write is recorded in the device's history as a <see cref="Lifecycle.DeviceChangeKind.Controlled"/> entry
/// (<see cref="Lifecycle.DeviceHistoryEntry.Control"/>), with the actor and reason: refused; or accepted before it is
/// sent and then confirmed, unknown or failed. Each entry moves the device's version, so the history stays one entry
/// per version.
/// </para>
/// <para>
/// A write and a lifecycle move of the same device exclude each other within a process: a device entering
/// maintenance while a write is on its way either makes the write refused, or waits until the write's outcome is
/// recorded. A write whose outcome is unknown is never sent again.
/// </para>
/// </remarks>
public interface IDeviceControl
{
    /// <summary>Checks a write as <see cref="WriteAsync"/> would and says what it would send, sending and recording nothing (a dry run).</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="point">The point's name (<c>target_power</c>).</param>
    /// <param name="value">The value, scaled (in the point's unit: 50 for 50 kW).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The registers, address and function code the write would send.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id.</exception>
    /// <exception cref="DeviceControlDisabledException">The device is not <see cref="DeviceState.Active"/>.</exception>
    /// <exception cref="DeviceValidationException">
    /// The point (<c>point</c>: unknown, read-only, no register map) or the value (<c>value</c>: not a finite number, out of
    /// range, does not fit the data type) is refused; the error names the field.
    /// </exception>
    ValueTask<ControlWritePlan> PlanAsync(Guid deviceId, string point, double value, CancellationToken cancellationToken = default);

    /// <summary>Writes a value to a point of a device, reads it back, and records the write in the device's history.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="point">The point's name (<c>target_power</c>).</param>
    /// <param name="value">The value, scaled (in the point's unit: 50 for 50 kW).</param>
    /// <param name="actor">Who writes, for the history; required.</param>
    /// <param name="reason">Why, for the history; required.</param>
    /// <param name="cancellationToken">
    /// Cancels the write until it is sent; once sent, cancelling makes its outcome unknown (recorded as such).
    /// </param>
    /// <returns>What was sent, and whether the read-back confirmed it or the outcome is unknown.</returns>
    /// <exception cref="DeviceNotFoundException">No device has the id; nothing is recorded.</exception>
    /// <exception cref="DeviceValidationException">
    /// The actor or reason is blank or too long, or the value is not a finite number (nothing recorded); or the point or
    /// value is refused (recorded as refused). The error names the field.
    /// </exception>
    /// <exception cref="DeviceControlDisabledException">The device is not <see cref="DeviceState.Active"/>; recorded as refused.</exception>
    /// <exception cref="ModbusException">The device refused the write with a Modbus exception; recorded as failed.</exception>
    /// <exception cref="ModbusTransportException">Nothing could be sent (the connection failed first); recorded as failed.</exception>
    ValueTask<ControlWriteResult> WriteAsync(Guid deviceId, string point, double value, string actor, string reason, CancellationToken cancellationToken = default);
}
