using System.Text.Json.Serialization;
using Flux.Devices.Internal;

namespace Flux.Devices.Lifecycle;

/// <summary>
/// What the platform does after a transition, as the spec's "Actions" column. Hosts act on them through an
/// <see cref="IDeviceLifecycleObserver"/>; Flux.Devices itself sends the operator alert and the maintenance
/// notices through the registered notifiers.
/// </summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<LifecycleAction>))]
public enum LifecycleAction
{
    /// <summary>The deployed configuration was written into the device's metadata.</summary>
    UpdateMetadata = 0,

    /// <summary>Communication with the device is to be verified (it is now being tested).</summary>
    VerifyCommunication = 1,

    /// <summary>Telemetry collection for the device is to be switched on.</summary>
    EnableTelemetry = 2,

    /// <summary>An operator is to be told that the device failed.</summary>
    AlertOperator = 3,

    /// <summary>Control of the device is to be switched off.</summary>
    DisableControl = 4,

    /// <summary>The device's data is to be archived.</summary>
    ArchiveData = 5,
}
