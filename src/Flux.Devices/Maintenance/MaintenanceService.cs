using System.Diagnostics;
using Flux.Devices.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Maintenance;

/// <summary>
/// Maintenance through the registry's transition, so that the state, the active flag and the metadata block
/// change in one write whichever way the trigger is fired; the notices come from the lifecycle observer. Each call is
/// traced (<see cref="EnterActivityName"/>, <see cref="ExitActivityName"/>) and logged under
/// <see cref="FluxDevicesDiagnostics.MaintenanceCategory"/>.
/// </summary>
internal sealed class MaintenanceService(DeviceRegistry registry, ILoggerFactory? loggerFactory = null) : IMaintenanceService
{
    public const string EnterActivityName = "flux.devices.maintenance.enter";
    public const string ExitActivityName = "flux.devices.maintenance.exit";

    private readonly DeviceRegistry _registry = registry;
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.MaintenanceCategory);

    public async ValueTask<Device> EnterAsync(
        Guid deviceId,
        string reason,
        TimeSpan? expectedDuration = null,
        string? actor = null,
        CancellationToken cancellationToken = default)
    {
        // The registry checks the reason, the actor and the duration, all at once.
        var request = new TransitionRequest(reason, actor, ExpectedVersion: null) { ExpectedDuration = expectedDuration };
        var device = await TransitionAsync(EnterActivityName, deviceId, DeviceTrigger.EnterMaintenance, request, cancellationToken).ConfigureAwait(false);
        Log.MaintenanceEntered(_logger, device.Name, device.Id, reason, expectedDuration, actor);
        return device;
    }

    public async ValueTask<Device> ExitAsync(Guid deviceId, string? actor = null, CancellationToken cancellationToken = default)
    {
        var request = new TransitionRequest("Maintenance finished", actor, ExpectedVersion: null);
        var device = await TransitionAsync(ExitActivityName, deviceId, DeviceTrigger.ExitMaintenance, request, cancellationToken).ConfigureAwait(false);
        Log.MaintenanceExited(_logger, device.Name, device.Id, actor);
        return device;
    }

    /// <summary>Fires the trigger within an activity tagged with the device (OpenTelemetry's <c>error.type</c> on failure).</summary>
    private async ValueTask<Device> TransitionAsync(string activityName, Guid deviceId, DeviceTrigger trigger, TransitionRequest request, CancellationToken cancellationToken)
    {
        using var activity = FluxActivities.Source.StartActivity(activityName, ActivityKind.Internal);
        activity?.SetTag(FluxActivities.DeviceIdTag, deviceId.ToString());
        try
        {
            var device = await _registry.TransitionAsync(deviceId, trigger, request, cancellationToken).ConfigureAwait(false);
            activity?.SetTag(FluxActivities.DeviceNameTag, device.Name);
            return device;
        }
        catch (Exception ex)
        {
            FluxActivities.Fail(activity, ex);
            throw;
        }
    }
}
