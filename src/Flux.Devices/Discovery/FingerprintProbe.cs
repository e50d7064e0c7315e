using Flux.Devices.RegisterMaps;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>
/// Recognises devices by their template's <c>identify</c> block: the named points read and decoded with the template's
/// scaling, each holding one of its accepted values. Templates are tried in the scan's order; the first whose every
/// point matches names the device.
/// </summary>
internal sealed class FingerprintProbe : IDeviceTypeProbe
{
    public const string ProbeName = "fingerprint";

    private static readonly ReadPlanOptions ProbeReads = new() { MaxRegistersPerRead = ProbeContext.MaxQuantity };

    public string Name => ProbeName;

    public async ValueTask<DeviceProbeResult?> ProbeAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var template in context.Templates)
        {
            if (template.Fingerprint.Count == 0)
            {
                continue;
            }

            IReadOnlyList<RegisterReading> readings;
            try
            {
                var plan = ReadPlan.Create(template.Fingerprint.Select(f => f.Register), ProbeReads);
                readings = await plan.ReadAsync(context.Transport, context.Endpoint, context.UnitId, template.Configuration.Scaling, cancellationToken).ConfigureAwait(false);
            }
            catch (FluxDevicesException)
            {
                continue; // The points are not there (an exception reply), or did not come: try the next template.
            }

            var byName = readings.ToDictionary(r => r.Name, StringComparer.Ordinal);
            if (template.Fingerprint.All(f => byName.TryGetValue(f.Register.Name, out var reading) && f.Matches(reading)))
            {
                return new DeviceProbeResult
                {
                    Probe = ProbeName,
                    DeviceType = template.DeviceType,
                    Manufacturer = template.Manufacturer,
                    Details = DeviceMetadata.Empty.With("template", template.Name),
                };
            }
        }

        return null;
    }
}
