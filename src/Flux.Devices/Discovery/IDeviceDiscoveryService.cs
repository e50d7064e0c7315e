namespace Flux.Devices.Discovery;

/// <summary>
/// Scans and registers what it finds: the spec's <c>auto_register.go</c>, idempotent. A device is known by its host,
/// port and unit id, and by its serial number where a probe read one, so scanning a site twice registers nothing twice
/// and a device that moved to another address is updated, not registered again (only when exactly one registered
/// device of that type carries the serial, and it is not a placeholder such as <c>0</c> or <c>N/A</c>).
/// </summary>
/// <remarks>
/// <para>
/// Names follow the spec, <c>{site}-{TYPE}-{unit id}</c> (<c>WLCE-BESS-1</c>). When that name is taken by another
/// device (two hosts both with unit id 1), the host goes in: <c>{site}-{TYPE}-{host}-{unit id}</c>, with the port after
/// the host when it is not 502; then <c>-2</c>, <c>-3</c>, ... until a name is free.
/// </para>
/// <para>
/// Metadata gets <c>ip_address</c>, <c>port</c>, <c>modbus_address</c>, <c>discovered_at</c>, <c>discovered_by</c> (the
/// probe) and what the probe learned (<c>manufacturer</c>, <c>model</c>, <c>serial_number</c>, <c>firmware_version</c>,
/// <c>capacity_kwh</c>, <c>phases</c>, ...), on top of <see cref="AutoRegistrationOptions.Defaults"/> for the type. The
/// registry validates it like any registration: what a probe cannot learn and the type requires (a BESS's
/// <c>efficiency</c>, a meter's <c>meter_type</c>) must come from the defaults, or the device is reported
/// <see cref="DiscoveryOutcome.Invalid"/> with the missing fields, and nothing is written.
/// </para>
/// </remarks>
public interface IDeviceDiscoveryService
{
    /// <summary>Scans and registers each device found, streaming what happened to each.</summary>
    /// <param name="scan">What to scan.</param>
    /// <param name="registration">How to register.</param>
    /// <param name="progress">Receives scan progress; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the scan; devices already registered stay registered.</param>
    /// <returns>One result per device found.</returns>
    IAsyncEnumerable<DiscoveryResult> DiscoverAsync(
        DeviceScanOptions scan,
        AutoRegistrationOptions registration,
        IProgress<ScanProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>Registers one discovered device, unless it is registered already.</summary>
    /// <param name="device">The device.</param>
    /// <param name="registration">How to register.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What happened.</returns>
    ValueTask<DiscoveryResult> RegisterAsync(DiscoveredDevice device, AutoRegistrationOptions registration, CancellationToken cancellationToken = default);
}

/// <summary>What auto-registration did with a discovered device.</summary>
public enum DiscoveryOutcome
{
    /// <summary>Registered now.</summary>
    Registered = 0,

    /// <summary>Already registered at this host, port and unit id; nothing written.</summary>
    AlreadyRegistered = 1,

    /// <summary>Registered at another address (same serial number and type); its address was updated (in a dry run, would be).</summary>
    Moved = 2,

    /// <summary>Would be registered under <see cref="DiscoveryResult.Name"/> (a dry run); nothing written.</summary>
    WouldRegister = 3,

    /// <summary>No probe recognised it and no type for unknown devices was given; reported, not registered.</summary>
    Unknown = 4,

    /// <summary>Its metadata breaks the type's rules (see <see cref="DiscoveryResult.Errors"/>); nothing written.</summary>
    Invalid = 5,
}
