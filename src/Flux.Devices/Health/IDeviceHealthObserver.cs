namespace Flux.Devices.Health;

/// <summary>
/// Receives every health sample as it is taken, before it is written to the store: a place to forward health to
/// dashboards or alarms. Register with <c>AddHealthObserver</c> on the <c>AddFluxDevices</c> builder.
/// </summary>
/// <remarks>Observers run on the polling path: keep them quick. One that throws is logged and does not stop polling.</remarks>
public interface IDeviceHealthObserver
{
    /// <summary>Called with each sample.</summary>
    /// <param name="device">The device, as it is after the poll's lifecycle move.</param>
    /// <param name="sample">The sample.</param>
    /// <param name="cancellationToken">Cancels the call when the monitor stops.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnSampledAsync(Device device, DeviceHealthSample sample, CancellationToken cancellationToken);
}
