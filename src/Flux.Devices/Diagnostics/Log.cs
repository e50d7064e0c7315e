using Flux.Devices.Groups;
using Flux.Devices.Notifications;
using Microsoft.Extensions.Logging;
using Flux.Devices.Transport;

namespace Flux.Devices.Diagnostics;

/// <summary>Every log message of the core, through the source generator (no allocation when the level is off).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = FluxEventIds.DeviceRegistered, Level = LogLevel.Information,
        Message = "Registered device {DeviceName} ({DeviceId}), type {DeviceType}, site {Site}")]
    public static partial void DeviceRegistered(ILogger logger, string deviceName, Guid deviceId, string deviceType, string site);

    [LoggerMessage(EventId = FluxEventIds.DevicesRegistered, Level = LogLevel.Information,
        Message = "Registered {Count} devices in one batch")]
    public static partial void DevicesRegistered(ILogger logger, int count);

    [LoggerMessage(EventId = FluxEventIds.DeviceUpdated, Level = LogLevel.Debug,
        Message = "Updated device {DeviceName} ({DeviceId}) to version {Version}: {ChangedFields}")]
    public static partial void DeviceUpdated(ILogger logger, string deviceName, Guid deviceId, long version, IReadOnlyList<string> changedFields);

    [LoggerMessage(EventId = FluxEventIds.DeviceConflictRetried, Level = LogLevel.Debug,
        Message = "Device {DeviceId} changed while {Trigger} was being fired; reading it again (attempt {Attempt})")]
    public static partial void DeviceConflictRetried(ILogger logger, Guid deviceId, DeviceTrigger trigger, int attempt);

    [LoggerMessage(EventId = FluxEventIds.DeviceTransitioned, Level = LogLevel.Information,
        Message = "Device {DeviceName} ({DeviceId}) moved from {FromState} to {ToState} on {Trigger}")]
    public static partial void DeviceTransitioned(ILogger logger, string deviceName, Guid deviceId, DeviceState fromState, DeviceState toState, DeviceTrigger trigger);

    [LoggerMessage(EventId = FluxEventIds.ObserverFailed, Level = LogLevel.Error,
        Message = "Lifecycle observer {Observer} failed on {Trigger} of device {DeviceName}; the transition stands")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, DeviceTrigger trigger, string deviceName);

    [LoggerMessage(EventId = FluxEventIds.GroupCreated, Level = LogLevel.Information,
        Message = "Created {GroupType} group {GroupName} ({GroupId}) at site {Site}")]
    public static partial void GroupCreated(ILogger logger, DeviceGroupType groupType, string groupName, Guid groupId, string site);

    [LoggerMessage(EventId = FluxEventIds.GroupMemberSet, Level = LogLevel.Information,
        Message = "Device {DeviceName} is {Role} (priority {Priority}) in group {GroupName}")]
    public static partial void GroupMemberSet(ILogger logger, string deviceName, GroupMemberRole role, int priority, string groupName);

    [LoggerMessage(EventId = FluxEventIds.GroupDeleted, Level = LogLevel.Information,
        Message = "Deleted group {GroupId}")]
    public static partial void GroupDeleted(ILogger logger, Guid groupId);

    [LoggerMessage(EventId = FluxEventIds.GroupMemberRemoved, Level = LogLevel.Information,
        Message = "Removed device {DeviceId} from group {GroupId}")]
    public static partial void GroupMemberRemoved(ILogger logger, Guid deviceId, Guid groupId);

    [LoggerMessage(EventId = FluxEventIds.Notification,
        Message = "{Kind} for device {DeviceName} ({DeviceId}): {Text}")]
    public static partial void Notification(ILogger logger, LogLevel level, NotificationKind kind, string deviceName, Guid deviceId, string text);

    [LoggerMessage(EventId = FluxEventIds.NotifierFailed, Level = LogLevel.Error,
        Message = "Notifier {Notifier} failed to send {Kind} for device {DeviceName}")]
    public static partial void NotifierFailed(ILogger logger, Exception exception, string notifier, NotificationKind kind, string deviceName);

    [LoggerMessage(EventId = FluxEventIds.PollFailed, Level = LogLevel.Debug,
        Message = "Poll of device {DeviceName} ({DeviceId}) failed after {Attempts} attempt(s): {Error}")]
    public static partial void PollFailed(ILogger logger, string deviceName, Guid deviceId, int attempts, string? error);

    [LoggerMessage(EventId = FluxEventIds.HealthWriteFailed, Level = LogLevel.Error,
        Message = "The store did not take {Count} health sample(s); they are dropped")]
    public static partial void HealthWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = FluxEventIds.TelemetryWriteFailed, Level = LogLevel.Error,
        Message = "The telemetry store did not take {Count} reading(s); they are dropped")]
    public static partial void TelemetryWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = FluxEventIds.HealthObserverFailed, Level = LogLevel.Error,
        Message = "Health observer {Observer} failed on a sample of device {DeviceName}; polling goes on")]
    public static partial void HealthObserverFailed(ILogger logger, Exception exception, string observer, string deviceName);

    [LoggerMessage(EventId = FluxEventIds.LeaseRenewFailed, Level = LogLevel.Error,
        Message = "Monitor instance {Instance} could not renew its leases; it stops polling its devices when the leases expire, and tries again")]
    public static partial void LeaseRenewFailed(ILogger logger, Exception exception, string instance);

    [LoggerMessage(EventId = FluxEventIds.LeasesChanged, Level = LogLevel.Information,
        Message = "Monitor instance {Instance}: claimed {Claimed}, gave back {Released}, lost {Lost}; holds {Held} device(s) of a share of {Share:F1} among {Instances} live instance(s)")]
    public static partial void LeasesChanged(ILogger logger, string instance, int claimed, int released, int lost, int held, double share, int instances);

    [LoggerMessage(EventId = FluxEventIds.LeaseLost, Level = LogLevel.Warning,
        Message = "Monitor instance {Instance} lost the lease of device {DeviceId}; it stops polling it")]
    public static partial void LeaseLost(ILogger logger, string instance, Guid deviceId);

    [LoggerMessage(EventId = FluxEventIds.LeaseWriteFenced, Level = LogLevel.Warning,
        Message = "The store refused {Count} write(s) of monitor instance {Instance}: the lease token is no longer current (device {DeviceId} is held by another instance); nothing of them was stored")]
    public static partial void LeaseWriteFenced(ILogger logger, int count, string instance, Guid deviceId);

    [LoggerMessage(EventId = FluxEventIds.HealthRefreshFailed, Level = LogLevel.Error,
        Message = "The health monitor could not read the device list; it polls the devices it knows and tries again later")]
    public static partial void HealthRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = FluxEventIds.PollTransitionSkipped, Level = LogLevel.Debug,
        Message = "Device {DeviceId} changed while its poll result was applied; {Trigger} is no longer permitted and is skipped")]
    public static partial void PollTransitionSkipped(ILogger logger, Guid deviceId, DeviceTrigger trigger);

    [LoggerMessage(EventId = FluxEventIds.PollAborted, Level = LogLevel.Warning,
        Message = "The poll of device {DeviceId} could not complete all its steps (a store, registry or transport failure); the next poll tries again")]
    public static partial void PollAborted(ILogger logger, Exception exception, Guid deviceId);

    [LoggerMessage(EventId = FluxEventIds.ProbeFailed, Level = LogLevel.Warning,
        Message = "Device type probe {Probe} failed on {Endpoint} unit {UnitId}; the next probe is asked")]
    public static partial void ProbeFailed(ILogger logger, Exception exception, string probe, Transport.ModbusEndpoint endpoint, byte unitId);

    [LoggerMessage(EventId = FluxEventIds.ScanFinished, Level = LogLevel.Information,
        Message = "Scan finished: {HostsScanned} of {HostsTotal} host(s) scanned, {DevicesFound} device(s) found on {HostsAnswering} host(s), {RequestsSent} request(s) sent")]
    public static partial void ScanFinished(ILogger logger, long hostsScanned, long hostsTotal, long devicesFound, long hostsAnswering, long requestsSent);

    [LoggerMessage(EventId = FluxEventIds.ScanEndpointRefused, Level = LogLevel.Warning,
        Message = "Scan: {Endpoint} refused the connection's security ({Failure}), so it was not scanned: {Reason}")]
    public static partial void ScanEndpointRefused(ILogger logger, ModbusEndpoint endpoint, ModbusSecurityFailure failure, string reason);

    [LoggerMessage(EventId = FluxEventIds.MaintenanceEntered, Level = LogLevel.Information,
        Message = "Device {DeviceName} ({DeviceId}) entered maintenance: {Reason} (expected duration {ExpectedDuration}, by {Actor})")]
    public static partial void MaintenanceEntered(ILogger logger, string deviceName, Guid deviceId, string reason, TimeSpan? expectedDuration, string? actor);

    [LoggerMessage(EventId = FluxEventIds.MaintenanceExited, Level = LogLevel.Information,
        Message = "Device {DeviceName} ({DeviceId}) left maintenance and is tested again (by {Actor})")]
    public static partial void MaintenanceExited(ILogger logger, string deviceName, Guid deviceId, string? actor);

    [LoggerMessage(EventId = FluxEventIds.TemplatePlanned, Level = LogLevel.Debug,
        Message = "Planned template {TemplateName} over {DeviceCount} device(s): {ChangeCount} to configure or update")]
    public static partial void TemplatePlanned(ILogger logger, string templateName, int deviceCount, int changeCount);

    [LoggerMessage(EventId = FluxEventIds.TemplateCommitted, Level = LogLevel.Information,
        Message = "Committed template {TemplateName} over {DeviceCount} device(s) (by {Actor}): {Applied} applied, {Refused} refused, {Conflicts} conflict(s)")]
    public static partial void TemplateCommitted(ILogger logger, string templateName, int deviceCount, string? actor, int applied, int refused, int conflicts);

    [LoggerMessage(EventId = FluxEventIds.ControlWritten, Level = LogLevel.Information,
        Message = "Wrote {Point} = {Value} to device {DeviceName} ({DeviceId}), confirmed by reading it back; by {Actor}: {Reason}")]
    public static partial void ControlWritten(ILogger logger, string point, double value, string deviceName, Guid deviceId, string actor, string reason);

    [LoggerMessage(EventId = FluxEventIds.ControlRefused, Level = LogLevel.Information,
        Message = "Refused writing {Point} = {Value} to device {DeviceName} ({DeviceId}) by {Actor}: {Refusal}")]
    public static partial void ControlRefused(ILogger logger, string point, double value, string deviceName, Guid deviceId, string actor, string refusal);

    [LoggerMessage(EventId = FluxEventIds.ControlNotConfirmed, Level = LogLevel.Warning,
        Message = "Writing {Point} = {Value} to device {DeviceName} ({DeviceId}) by {Actor}: {Outcome}, {Detail}")]
    public static partial void ControlNotConfirmed(ILogger logger, string point, double value, string deviceName, Guid deviceId, string actor, Control.ControlOutcome outcome, string detail);
}
