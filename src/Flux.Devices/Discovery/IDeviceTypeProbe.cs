namespace Flux.Devices.Discovery;

/// <summary>
/// One way to tell what a responder is. The scanner asks each probe in turn (SunSpec, then Read Device Identification
/// matched against the templates' manufacturers, then the templates' <c>identify</c> fingerprints, then those a host
/// adds with <c>AddDeviceTypeProbe</c>) until one recognises the device.
/// </summary>
public interface IDeviceTypeProbe
{
    /// <summary>Gets the probe's name, recorded with what it learned.</summary>
    string Name { get; }

    /// <summary>Probes one device.</summary>
    /// <param name="context">The device and a read-only transport to it.</param>
    /// <param name="cancellationToken">Cancels the probe (the host's budget ran out, or the scan was cancelled).</param>
    /// <returns>What the probe learned, or <see langword="null"/> when it does not recognise the device.</returns>
    /// <remarks>A probe may let Modbus errors escape; the scanner treats them as "not recognised" and asks the next probe.</remarks>
    ValueTask<DeviceProbeResult?> ProbeAsync(ProbeContext context, CancellationToken cancellationToken);
}
