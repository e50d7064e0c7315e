namespace Flux.Devices.Maintenance;

/// <summary>
/// Maintenance through the registry's transition, so that the state, the active flag and the metadata block
/// change in one write whichever way the trigger is fired; the notices come from the lifecycle observer.
/// </summary>
internal sealed class MaintenanceService(DeviceRegistry registry) : IMaintenanceService
{
    private readonly DeviceRegistry _registry = registry;

    public ValueTask<Device> EnterAsync(
        Guid deviceId,
        string reason,
        TimeSpan? expectedDuration = null,
        string? actor = null,
        CancellationToken cancellationToken = default)
    {
        // The registry checks the reason, the actor and the duration, all at once.
        var request = new TransitionRequest(reason, actor, ExpectedVersion: null) { ExpectedDuration = expectedDuration };
        return _registry.TransitionAsync(deviceId, DeviceTrigger.EnterMaintenance, request, cancellationToken);
    }

    public ValueTask<Device> ExitAsync(Guid deviceId, string? actor = null, CancellationToken cancellationToken = default) =>
        _registry.TransitionAsync(deviceId, DeviceTrigger.ExitMaintenance, new TransitionRequest("Maintenance finished", actor, ExpectedVersion: null), cancellationToken);
}
