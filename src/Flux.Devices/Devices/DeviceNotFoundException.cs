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

    /// <summary>Initializes a new instance of the <see cref="DeviceNotFoundException"/> class for an id given in a field of the input.</summary>
    /// <param name="deviceId">The id that was looked up.</param>
    /// <param name="field">The input field that held the id (<c>device_id</c>).</param>
    public DeviceNotFoundException(Guid deviceId, string field)
        : base($"Invalid {field}: no device has id {deviceId}.")
    {
        DeviceId = deviceId;
        Field = field;
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

    /// <summary>Gets the input field that held the id, when the id came from a field (<c>device_id</c>).</summary>
    public string? Field { get; }
}
