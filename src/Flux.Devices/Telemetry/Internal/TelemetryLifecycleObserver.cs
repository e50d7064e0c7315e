using Flux.Devices.Lifecycle;

namespace Flux.Devices.Telemetry.Internal;

/// <summary>Stops a device's telemetry when it leaves Active in this process: its latest readings turn Stale at once (moves made by other processes are seen by the monitor's next look at the device).</summary>
internal sealed class TelemetryLifecycleObserver(DeviceTelemetry telemetry) : IDeviceLifecycleObserver
{
    public ValueTask OnTransitionedAsync(DeviceTransitioned transition, CancellationToken cancellationToken)
    {
        if (transition.Previous.State == DeviceState.Active && transition.Device.State != DeviceState.Active)
        {
            telemetry.MarkStale(transition.Device.Id);
        }

        return ValueTask.CompletedTask;
    }
}
