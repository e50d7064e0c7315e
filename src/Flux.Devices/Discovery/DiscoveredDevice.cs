using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>A device a scan found: where it answered and what the probes learned of it.</summary>
public sealed record DiscoveredDevice
{
    /// <summary>Gets the host and port.</summary>
    public required ModbusEndpoint Endpoint { get; init; }

    /// <summary>Gets the unit id it answered at.</summary>
    public required byte UnitId { get; init; }

    /// <summary>Gets the exception code it answered the presence read with, when it answered with one (it is still present).</summary>
    public ModbusExceptionCode? PresenceException { get; init; }

    /// <summary>
    /// Gets a value indicating whether the device answered every unit id scanned, identically: one device that
    /// ignores the unit id (common for direct TCP devices), reported once at the first unit id.
    /// </summary>
    public bool IgnoresUnitId { get; init; }

    /// <summary>Gets what a probe learned of the device; <see langword="null"/> when no probe recognised it (an unknown responder).</summary>
    public DeviceProbeResult? Identity { get; init; }

    /// <summary>Gets when the device was found.</summary>
    public required DateTimeOffset DiscoveredAt { get; init; }

    /// <summary>Returns <c>host:port unit N (type)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Endpoint} unit {UnitId} ({Identity?.DeviceType ?? "unknown"})";
}

/// <summary>How far a scan has got, reported through <see cref="IProgress{T}"/> as each host is done.</summary>
/// <param name="HostsTotal">The hosts to scan (exclusions left out).</param>
/// <param name="HostsScanned">The hosts done.</param>
/// <param name="HostsAnswering">The hosts where at least one unit id answered.</param>
/// <param name="DevicesFound">The devices found so far.</param>
/// <param name="RequestsSent">The Modbus requests sent so far.</param>
/// <param name="UnitsExcluded">
/// The unit ids not asked so far because <see cref="DeviceScanOptions.ExcludeUnits"/> or
/// <see cref="DeviceScanOptions.ExcludeEndpoints"/> names them, one per unit id per endpoint scanned (with
/// auto-registration's defaults, the registered units the scan did not contact).
/// </param>
public readonly record struct ScanProgress(long HostsTotal, long HostsScanned, long HostsAnswering, long DevicesFound, long RequestsSent, long UnitsExcluded = 0);

/// <summary>Scans networks for Modbus devices and tells what they are.</summary>
/// <remarks>
/// A scan is read-only by construction: it sends only reads of holding and input registers (at most
/// <see cref="ProbeContext.MaxQuantity"/> at a time) and Read Device Identification, never a write, never function 8
/// (diagnostics, whose sub-function 1 restarts a device's communications), and never unit id 0.
/// </remarks>
public interface IDeviceScanner
{
    /// <summary>
    /// Scans, streaming each device as it is found. Any well-formed reply, an exception included, means a device is
    /// present, except exception 0x0B or 0x0A (a gateway saying there is no device at that unit id or no path to it).
    /// </summary>
    /// <param name="options">What to scan and how.</param>
    /// <param name="progress">Receives progress as hosts are done; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops the scan promptly: the devices already yielded are the partial result, and the enumeration ends with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The devices, in the order found.</returns>
    /// <exception cref="ArgumentException">An option is out of range (named by the exception's parameter name).</exception>
    IAsyncEnumerable<DiscoveredDevice> ScanAsync(DeviceScanOptions options, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default);
}
