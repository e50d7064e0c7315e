using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices.Lifecycle;

/// <summary>What kind of change a <see cref="DeviceHistoryEntry"/> records.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<DeviceChangeKind>))]
public enum DeviceChangeKind
{
    /// <summary>The device was registered (version 1).</summary>
    Registered = 0,

    /// <summary>Name, site, metadata or the active flag changed; the state did not.</summary>
    Updated = 1,

    /// <summary>A trigger moved the device to another state (and may have changed fields with it).</summary>
    Transitioned = 2,

    /// <summary>
    /// A writer outside the library (the spec's SQL in psql, another application) changed the device's row. Stores that
    /// other writers share record such changes themselves, with the state before and after and the fields that changed;
    /// the PostgreSQL store does so with a trigger.
    /// </summary>
    External = 3,

    /// <summary>
    /// A control write (a setpoint) was refused, accepted, confirmed, failed or left of unknown outcome;
    /// <see cref="DeviceHistoryEntry.Control"/> says which, with the point, the value and the registers. The state and
    /// the device's fields do not change; the version does, so that the history stays one entry per version.
    /// </summary>
    Controlled = 4,
}
