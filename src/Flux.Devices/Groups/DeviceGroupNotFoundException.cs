namespace Flux.Devices.Groups;

/// <summary>No group has the given id or name.</summary>
public sealed class DeviceGroupNotFoundException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceGroupNotFoundException"/> class for an id.</summary>
    /// <param name="groupId">The id that was looked up.</param>
    public DeviceGroupNotFoundException(Guid groupId)
        : base($"No device group has id {groupId}.")
    {
        GroupId = groupId;
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceGroupNotFoundException"/> class for an id given in a field of the input.</summary>
    /// <param name="groupId">The id that was looked up.</param>
    /// <param name="field">The input field that held the id (<c>group_id</c>).</param>
    public DeviceGroupNotFoundException(Guid groupId, string field)
        : this(groupId, field, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceGroupNotFoundException"/> class for an id given in a field of the input, with the error that revealed it.</summary>
    /// <param name="groupId">The id that was looked up.</param>
    /// <param name="field">The input field that held the id.</param>
    /// <param name="innerException">The store's own error (a foreign key violation), kept for diagnosis.</param>
    public DeviceGroupNotFoundException(Guid groupId, string field, Exception? innerException)
        : base($"Invalid {field}: no device group has id {groupId}.", innerException)
    {
        GroupId = groupId;
        Field = field;
    }

    /// <summary>Initializes a new instance of the <see cref="DeviceGroupNotFoundException"/> class for a name.</summary>
    /// <param name="name">The name that was looked up.</param>
    public DeviceGroupNotFoundException(string name)
        : base($"No device group is named '{name}'.")
    {
        Name = name;
    }

    /// <summary>Gets the id that was looked up, when the lookup was by id.</summary>
    public Guid? GroupId { get; }

    /// <summary>Gets the name that was looked up, when the lookup was by name.</summary>
    public string? Name { get; }

    /// <summary>Gets the input field that held the id, when the id came from a field (<c>group_id</c>).</summary>
    public string? Field { get; }
}
