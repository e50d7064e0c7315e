namespace Flux.Devices.Diagnostics;

/// <summary>
/// The names under which Flux.Devices reports: the meter its instruments are on, the activity source its traces come
/// from and the logger categories it writes to, so that a host can subscribe to them (OpenTelemetry's
/// <c>AddMeter</c> and <c>AddSource</c>) and tune log levels per area
/// (<c>Logging:LogLevel:Flux.Devices.Modbus</c>). Every category starts with <c>Flux.Devices.</c>, so
/// <c>Flux.Devices</c> alone sets them all. These names are stable: renaming one is a breaking change.
/// </summary>
public static class FluxDevicesDiagnostics
{
    /// <summary>
    /// The meter of every instrument: the health monitor's (<c>flux.devices.poll.*</c>, <c>flux.devices.health.*</c>)
    /// and the Modbus TCP client's (<c>flux.devices.modbus.*</c>).
    /// </summary>
    public const string MeterName = "Flux.Devices";

    /// <summary>
    /// The <see cref="System.Diagnostics.ActivitySource"/> of every trace: health polls, discovery scans (and each host), maintenance entries and exits, template plans and
    /// commits and store writes. Activities are only created when a listener (OpenTelemetry's <c>AddSource</c>) is on.
    /// </summary>
    public const string ActivitySourceName = "Flux.Devices";

    /// <summary>Registrations, updates and concurrency retries of the device registry.</summary>
    public const string RegistryCategory = "Flux.Devices.Registry";

    /// <summary>Lifecycle transitions, maintenance entries and exits included, and lifecycle observers that failed.</summary>
    public const string LifecycleCategory = "Flux.Devices.Lifecycle";

    /// <summary>Groups created and deleted, members set and removed.</summary>
    public const string GroupsCategory = "Flux.Devices.Groups";

    /// <summary>Notifications, and notifiers that failed.</summary>
    public const string NotificationsCategory = "Flux.Devices.Notifications";

    /// <summary>Discovery: scans finished (with their counts), probes of scanned hosts that failed.</summary>
    public const string DiscoveryCategory = "Flux.Devices.Discovery";

    /// <summary>The health monitor: failed and aborted polls, samples not written, observers that failed.</summary>
    public const string HealthCategory = "Flux.Devices.Health";

    /// <summary>Maintenance entered (with the reason and expected duration) and exited through the maintenance service.</summary>
    public const string MaintenanceCategory = "Flux.Devices.Maintenance";

    /// <summary>Device templates: plans (at <c>Debug</c>) and commits, with the counts of devices applied, refused and in conflict.</summary>
    public const string TemplatesCategory = "Flux.Devices.Templates";

    /// <summary>The stores (SQLite, PostgreSQL): retried operations, migrations.</summary>
    public const string StorageCategory = "Flux.Devices.Storage";

    /// <summary>The Modbus TCP client and server: connections, late replies, and a hex trace of every frame at <c>Trace</c>.</summary>
    public const string ModbusCategory = "Flux.Devices.Modbus";

    /// <summary>Control writes (setpoints): confirmed and refused at <c>Information</c>, failed and of unknown outcome at <c>Warning</c>.</summary>
    public const string ControlCategory = "Flux.Devices.Control";
}
