namespace Flux.Devices.Maintenance;

/// <summary>A maintenance window was refused because an open window of the same device shares time with it; nothing was stored.</summary>
public sealed class MaintenanceWindowOverlapException : DeviceValidationException
{
    /// <summary>Initializes a new instance of the <see cref="MaintenanceWindowOverlapException"/> class.</summary>
    /// <param name="window">The window refused.</param>
    /// <param name="existing">The open window it overlaps.</param>
    public MaintenanceWindowOverlapException(MaintenanceWindow window, MaintenanceWindow existing)
        : base("start", Describe(window, existing))
    {
        ExistingWindowId = existing.Id;
    }

    /// <summary>Gets the id of the open window the refused one overlaps.</summary>
    public Guid ExistingWindowId { get; }

    private static string Describe(MaintenanceWindow window, MaintenanceWindow existing)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(existing);
        return $"the window {Text(window)} overlaps window {existing.Id} ({Text(existing)}, {Storage.EnumText.Name(existing.Status)}) of the same device";
    }

    private static string Text(MaintenanceWindow window) =>
        FormattableString.Invariant($"{window.Start.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z to {window.End.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
}

/// <summary>No maintenance window has the given id.</summary>
public sealed class MaintenanceWindowNotFoundException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="MaintenanceWindowNotFoundException"/> class.</summary>
    /// <param name="windowId">The id looked up.</param>
    public MaintenanceWindowNotFoundException(Guid windowId)
        : base($"No maintenance window has id {windowId}.")
    {
        WindowId = windowId;
    }

    /// <summary>Gets the id looked up.</summary>
    public Guid WindowId { get; }
}
