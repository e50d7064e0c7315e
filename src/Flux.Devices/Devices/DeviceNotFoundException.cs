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
        : this(deviceId, field, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceNotFoundException"/> class for an id given in a field of the input, with the error that revealed it.</summary>
    /// <param name="deviceId">The id that was looked up.</param>
    /// <param name="field">The input field that held the id.</param>
    /// <param name="innerException">The store's own error (a foreign key violation), kept for diagnosis.</param>
    public DeviceNotFoundException(Guid deviceId, string field, Exception? innerException)
        : base($"Invalid {field}: no device has id {deviceId}.", innerException)
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
