using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices;

/// <summary>Where a device is in its lifecycle. The permitted moves are in <see cref="Lifecycle.DeviceLifecycle"/>.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<DeviceState>))]
public enum DeviceState
{
    /// <summary>Known to the registry, not yet configured. Not polled.</summary>
    Registered = 0,

    /// <summary>A configuration was deployed; waiting for the first poll.</summary>
    Configured = 1,

    /// <summary>Being polled to verify communication.</summary>
    Testing = 2,

    /// <summary>Communicating; telemetry is on and the device may be controlled.</summary>
    Active = 3,

    /// <summary>Did not communicate while being tested; an operator was alerted. Not polled until retried.</summary>
    Failed = 4,

    /// <summary>Taken out of service by an operator: control disabled, not polled.</summary>
    Maintenance = 5,

    /// <summary>Removed from the fleet for good; its data is archived. Terminal.</summary>
    Decommissioned = 6,
}
