namespace Flux.Devices.Discovery;

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
