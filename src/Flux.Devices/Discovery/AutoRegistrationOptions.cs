namespace Flux.Devices.Discovery;

/// <summary>How discovered devices are registered.</summary>
public sealed record AutoRegistrationOptions
{
    /// <summary>Gets the site the devices are registered at.</summary>
    public required string Site { get; init; }

    /// <summary>
    /// Gets a value indicating whether devices are registered; <see langword="false"/> reports what would be (a dry run):
    /// the same outcomes, names and validation errors as registering, nothing written.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Register { get; init; } = true;

    /// <summary>Gets the device type unrecognised responders are registered as; <see langword="null"/> (the default) reports them without registering.</summary>
    public string? UnknownDeviceType { get; init; }

    /// <summary>Gets metadata per device type that fills what probes cannot learn; what a probe learned wins.</summary>
    public IReadOnlyDictionary<string, DeviceMetadata> Defaults { get; init; } = new Dictionary<string, DeviceMetadata>();

    /// <summary>
    /// Gets a value indicating whether registered devices are left out of the scan: their unit ids are not asked, so
    /// that a rescan does not query devices in service again, while the other unit ids behind the same gateway are
    /// (units added next to a registered one are found). A registered device that answers every unit id
    /// (<c>ignores_unit_id</c>) leaves its whole endpoint out. <see cref="ScanProgress.UnitsExcluded"/> counts the unit
    /// ids left out; <see langword="false"/> asks the registered devices too (reported
    /// <see cref="DiscoveryOutcome.AlreadyRegistered"/>).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SkipRegisteredUnits { get; init; } = true;

    /// <summary>Gets who registers, for the history.</summary>
    /// <value>The default value is <c>discovery</c>.</value>
    public string Actor { get; init; } = "discovery";
}
