namespace Flux.Devices.Control;

/// <summary>
/// Control is disabled for the device: only an <see cref="DeviceState.Active"/> device takes writes. Raised, and
/// recorded in the device's history, before anything is sent.
/// </summary>
public sealed class DeviceControlDisabledException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceControlDisabledException"/> class.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="deviceName">The device's name.</param>
    /// <param name="state">The state the device is in.</param>
    public DeviceControlDisabledException(Guid deviceId, string deviceName, DeviceState state)
        : base($"Device {deviceId} is {state}: control is disabled unless it is {DeviceState.Active}.")
    {
        DeviceId = deviceId;
        DeviceName = deviceName;
        State = state;
    }

    /// <summary>Gets the device.</summary>
    public Guid DeviceId { get; }

    /// <summary>Gets the device's name.</summary>
    public string DeviceName { get; }

    /// <summary>Gets the state the device is in (<see cref="DeviceState.Maintenance"/>, <see cref="DeviceState.Failed"/>, ...).</summary>
    public DeviceState State { get; }
}
