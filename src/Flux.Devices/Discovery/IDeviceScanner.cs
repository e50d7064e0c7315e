namespace Flux.Devices.Discovery;

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
