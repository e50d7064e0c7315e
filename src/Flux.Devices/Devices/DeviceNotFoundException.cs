namespace Flux.Devices;

/// <summary>No device has the given id or name.</summary>
public sealed class DeviceNotFoundException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceNotFoundException"/> class for an id.</summary>
    /// <param name="deviceId">The id that was looked up.</param>
    public DeviceNotFoundException(Guid deviceId)
        : base($"No device has id {deviceId}.")
    {
        DeviceId = deviceId;
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceNotFoundException"/> class for a name.</summary>
    /// <param name="name">The name that was looked up.</param>
    public DeviceNotFoundException(string name)
        : base($"No device is named '{name}'.")
    {
        Name = name;
    }

    /// <summary>Gets the id that was looked up, when the lookup was by id.</summary>
    public Guid? DeviceId { get; }

    /// <summary>Gets the name that was looked up, when the lookup was by name.</summary>
    public string? Name { get; }
}
