namespace Flux.Devices.Telemetry;

/// <summary>How far a reading can be trusted.</summary>
public enum TelemetryQuality
{
    /// <summary>Read from the device in its latest poll, with a value.</summary>
    Good = 0,

    /// <summary>The device answered, but reported the point as not available (its "not implemented" value): no value.</summary>
    NotAvailable = 1,

    /// <summary>The value of an earlier poll: the latest poll of the device failed, or telemetry stopped for the device.</summary>
    Stale = 2,
}
