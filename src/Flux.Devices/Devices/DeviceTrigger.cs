using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices;

/// <summary>An event that moves a device from one <see cref="DeviceState"/> to another.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<DeviceTrigger>))]
public enum DeviceTrigger
{
    /// <summary>A configuration (template) was deployed to the device: the spec's "Config deployment".</summary>
    DeployConfig = 0,

    /// <summary>The poller made its first attempt to reach the device: the spec's "First poll attempt".</summary>
    PollAttempted = 1,

    /// <summary>A poll succeeded: the spec's "Successful poll".</summary>
    PollSucceeded = 2,

    /// <summary>A poll failed after its retries: the spec's "Poll timeout/error".</summary>
    PollFailed = 3,

    /// <summary>An operator took the device out of service: the spec's "Scheduled/Manual".</summary>
    EnterMaintenance = 4,

    /// <summary>An operator returned the device to service; it is tested again before it is active.</summary>
    ExitMaintenance = 5,

    /// <summary>An operator (or a retry policy) asked for a failed device to be tested again.</summary>
    Retry = 6,

    /// <summary>The device was removed from the fleet: the spec's "Removal".</summary>
    Decommission = 7,
}
