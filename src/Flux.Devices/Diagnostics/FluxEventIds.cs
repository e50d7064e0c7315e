namespace Flux.Devices.Diagnostics;

/// <summary>
/// Event ids, in blocks per area: 1000 registry, 2000 lifecycle, 2500 groups, 2600 maintenance, 2700 control, 2800 notifications,
/// 3000 templates, 4000 discovery, 5000 health (5100 telemetry), 6000 Modbus, 7000 the stores
/// (src/Shared/StoreTelemetry.cs: 7000 a retry).
/// </summary>
internal static class FluxEventIds
{
    public const int DeviceRegistered = 1000;
    public const int DeviceUpdated = 1001;
    public const int DeviceConflictRetried = 1002;
    public const int DevicesRegistered = 1003;

    public const int DeviceTransitioned = 2000;
    public const int ObserverFailed = 2001;

    public const int GroupCreated = 2500;
    public const int GroupMemberSet = 2501;
    public const int GroupDeleted = 2502;
    public const int GroupMemberRemoved = 2503;

    public const int MaintenanceEntered = 2600;
    public const int MaintenanceExited = 2601;
    public const int MaintenanceWindowScheduled = 2610;
    public const int MaintenanceWindowCancelled = 2611;
    public const int MaintenanceWindowStarted = 2612;
    public const int MaintenanceWindowEnded = 2613;
    public const int MaintenanceWindowSkipped = 2614;
    public const int MaintenanceScheduleFailed = 2615;

    public const int ControlWritten = 2700;
    public const int ControlRefused = 2701;
    public const int ControlNotConfirmed = 2702;

    public const int Notification = 2800;
    public const int NotifierFailed = 2801;

    public const int TemplatePlanned = 3000;
    public const int TemplateCommitted = 3001;

    public const int ProbeFailed = 4000;
    public const int ScanFinished = 4001;
    public const int ScanEndpointRefused = 4002;

    public const int PollFailed = 5000;
    public const int HealthWriteFailed = 5001;
    public const int HealthObserverFailed = 5002;
    public const int HealthRefreshFailed = 5003;
    public const int PollTransitionSkipped = 5004;
    public const int PollAborted = 5005;

    public const int LeaseRenewFailed = 5200;
    public const int LeasesChanged = 5201;
    public const int LeaseLost = 5202;
    public const int LeaseWriteFenced = 5203;

    public const int TelemetryWriteFailed = 5100;
}
