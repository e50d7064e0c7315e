using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices.Control;

/// <summary>What became of a control write, as the device's history records it.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<ControlOutcome>))]
public enum ControlOutcome
{
    /// <summary>The write passed every check and is about to be sent; recorded before anything goes to the device.</summary>
    Accepted = 0,

    /// <summary>The write was refused before anything was sent: the device's state, the point, or the value.</summary>
    Refused = 1,

    /// <summary>The device acknowledged the write and reading the registers back gave the values written.</summary>
    Confirmed = 2,

    /// <summary>
    /// The write was sent but whether the device applied it is not known: the reply did not come or was broken, the
    /// read-back failed, or it gave other values. Never replayed; read the point to decide.
    /// </summary>
    Unknown = 3,

    /// <summary>The write was not applied: the device refused it with a Modbus exception, or nothing could be sent.</summary>
    Failed = 4,
}
