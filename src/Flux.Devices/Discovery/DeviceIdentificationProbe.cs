using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>
/// Recognises devices by Read Device Identification (function 43/14): the vendor name matched against the scan's
/// templates' manufacturers (case-insensitively), which give the device type; the template's name goes into the details.
/// When several templates share the manufacturer (its BESS and its meter), the vendor name does not decide and the
/// fingerprints do.
/// </summary>
internal sealed class DeviceIdentificationProbe : IDeviceTypeProbe
{
    public const string ProbeName = "device_identification";

    public string Name => ProbeName;

    public async ValueTask<DeviceProbeResult?> ProbeAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Templates.Count == 0)
        {
            return null;
        }

        var identification = await context.Transport.ReadDeviceIdentificationAsync(context.Endpoint, context.UnitId, DeviceIdentificationCategory.Basic, cancellationToken).ConfigureAwait(false);
        var vendor = identification.VendorName?.Trim();
        var matching = context.Templates.Where(t => string.Equals(t.Manufacturer, vendor, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        var template = matching.Count == 1 ? matching[0] : null;
        return template is null
            ? null
            : new DeviceProbeResult
            {
                Probe = ProbeName,
                DeviceType = template.DeviceType,
                Manufacturer = vendor,
                Model = identification.ModelName ?? identification.ProductCode,
                FirmwareVersion = identification.Revision,
                Details = DeviceMetadata.Empty.With("template", template.Name),
            };
    }
}
