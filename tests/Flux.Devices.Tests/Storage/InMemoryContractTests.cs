using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Tests.Storage;

/// <summary>The in-memory store against the contract of devices and their history.</summary>
public sealed class InMemoryRegistryStoreTests : DeviceRegistryStoreContractTests
{
    protected override ValueTask<IDeviceRegistryStore> CreateStoreAsync() => new(new InMemoryDeviceStore());
}

/// <summary>The in-memory store against the contract of groups and members.</summary>
public sealed class InMemoryGroupStoreTests : DeviceGroupStoreContractTests
{
    protected override ValueTask<IDeviceStore> CreateStoreAsync() => new(new InMemoryDeviceStore());
}

/// <summary>The in-memory store against the contract of health samples.</summary>
public sealed class InMemoryHealthSampleStoreTests : HealthSampleStoreContractTests
{
    protected override ValueTask<IHealthSampleStore> CreateStoreAsync() => new(new InMemoryDeviceStore());
}

/// <summary>The in-memory store against the contract of telemetry.</summary>
public sealed class InMemoryTelemetryStoreTests : TelemetryStoreContractTests
{
    protected override ValueTask<ITelemetryStore> CreateStoreAsync() => new(new InMemoryDeviceStore());
}

/// <summary>The in-memory store against the contract of retention.</summary>
public sealed class InMemoryRetentionStoreTests : RetentionStoreContractTests
{
    protected override ValueTask<IRetentionStore> CreateStoreAsync() => new(new InMemoryDeviceStore());
}

/// <summary>The in-memory store against the contract of the archive.</summary>
public sealed class InMemoryArchiveStoreTests : ArchiveStoreContractTests
{
    protected override ValueTask<IDeviceArchiveStore> CreateStoreAsync() => new(new InMemoryDeviceStore());
}

/// <summary>The in-memory store against the contract of the maintenance schedule.</summary>
public sealed class InMemoryMaintenanceScheduleStoreTests : MaintenanceScheduleStoreContractTests
{
    protected override ValueTask<IMaintenanceScheduleStore> CreateStoreAsync() => new(new InMemoryDeviceStore());
}
