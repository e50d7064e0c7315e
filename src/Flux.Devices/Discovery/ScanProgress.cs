namespace Flux.Devices.Discovery;

/// <summary>How far a scan has got, reported through <see cref="IProgress{T}"/> as each host is done.</summary>
public readonly record struct ScanProgress
{
    /// <summary>Gets the hosts to scan (exclusions left out).</summary>
    public required long HostsTotal { get; init; }

    /// <summary>Gets the hosts done.</summary>
    public required long HostsScanned { get; init; }

    /// <summary>Gets the hosts where at least one unit id answered.</summary>
    public required long HostsAnswering { get; init; }

    /// <summary>Gets the devices found so far.</summary>
    public required long DevicesFound { get; init; }

    /// <summary>Gets the Modbus requests sent so far.</summary>
    public required long RequestsSent { get; init; }

    /// <summary>
    /// Gets the unit ids not asked so far because <see cref="DeviceScanOptions.ExcludeUnits"/> or
    /// <see cref="DeviceScanOptions.ExcludeEndpoints"/> names them, one per unit id per endpoint scanned (with
    /// auto-registration's defaults, the registered units the scan did not contact).
    /// </summary>
    public long UnitsExcluded { get; init; }

    /// <summary>
    /// Gets the endpoints where something answered but the connection's security failed, so that no unit id could be
    /// asked: a TLS handshake refused by either side (an untrusted, expired or mismatched certificate), or a device that
    /// answers with TLS to a scan without it. Such endpoints are not an empty network: check the TLS settings.
    /// </summary>
    public long EndpointsRefused { get; init; }

    /// <summary>Gets why the latest refused endpoint was refused (its endpoint and the reason); <see langword="null"/> when none was.</summary>
    public string? LastRefusal { get; init; }
}
