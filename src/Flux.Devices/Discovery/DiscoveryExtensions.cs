namespace Flux.Devices.Discovery;

/// <summary>
/// Scans and discovery with the cancellation token right after the required arguments, for callers that want no
/// progress reports: <c>scanner.ScanAsync(options, cancellationToken)</c>.
/// </summary>
public static class DiscoveryExtensions
{
    /// <summary>Scans, with no progress reports.</summary>
    /// <param name="scanner">The scanner.</param>
    /// <param name="options">What to scan.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <returns>Each device as it is identified.</returns>
    public static IAsyncEnumerable<DiscoveredDevice> ScanAsync(this IDeviceScanner scanner, DeviceScanOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        return scanner.ScanAsync(options, null, cancellationToken);
    }

    /// <summary>Scans and registers, with no progress reports.</summary>
    /// <param name="discovery">The discovery service.</param>
    /// <param name="scan">What to scan.</param>
    /// <param name="registration">How to register.</param>
    /// <param name="cancellationToken">Stops the scan; devices already registered stay registered.</param>
    /// <returns>One result per device found.</returns>
    public static IAsyncEnumerable<DiscoveryResult> DiscoverAsync(this IDeviceDiscoveryService discovery, DeviceScanOptions scan, AutoRegistrationOptions registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        return discovery.DiscoverAsync(scan, registration, null, cancellationToken);
    }
}
