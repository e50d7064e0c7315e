using Flux.Devices.Lifecycle;

namespace Flux.Devices.Storage;

/// <summary>
/// Where devices, their history, groups and memberships, their health samples and their telemetry are kept. Flux.Devices ships an in-memory store
/// (<see cref="InMemoryDeviceStore"/>, the default) and PostgreSQL and SQLite stores in their own packages; a
/// host can bring its own and check it with the store contract test suite (the Flux.Devices.Testing package).
/// </summary>
/// <remarks>
/// <para>
/// The interface is the union of the store's capabilities: <see cref="IDeviceRegistryStore"/> (devices and their
/// history), <see cref="IDeviceGroupStore"/> (groups and members), <see cref="IHealthSampleStore"/> (health
/// samples) and <see cref="ITelemetryStore"/> (telemetry readings). The library's services depend on the capability they use, and dependency injection forwards each
/// capability to the registered <see cref="IDeviceStore"/> unless the host replaces one.
/// </para>
/// <para>
/// A store does not validate business rules: <see cref="IDeviceRegistry"/> does that before it writes. A store
/// guarantees what only it can: unique ids and names, referential integrity of memberships, and
/// compare-and-set on <see cref="Device.Version"/> so that no update is ever lost.
/// </para>
/// <para>
/// Every write of a device carries the one <see cref="DeviceHistoryEntry"/> that describes it; both are
/// committed together or not at all. Every query returns the same results in every store: the semantics
/// are those of <see cref="DeviceFilter.Matches"/>, and lists are ordered as each method says. "By name" means
/// by Unicode code point, which is what PostgreSQL's <c>COLLATE "C"</c> gives on UTF-8 (and what ordinal UTF-16
/// comparison gives, except that characters beyond U+FFFF sort after U+FFFF).
/// </para>
/// </remarks>
public interface IDeviceStore : IDeviceRegistryStore, IDeviceGroupStore, IHealthSampleStore, ITelemetryStore
{
}
