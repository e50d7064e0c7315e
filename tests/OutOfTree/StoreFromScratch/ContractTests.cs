using Flux.Devices.Storage;
using Flux.Devices.Testing;

namespace StoreFromScratch;

public sealed class RegistryContract : DeviceRegistryStoreContractTests
{
    protected override ValueTask<IDeviceRegistryStore> CreateStoreAsync() => new(new DictionaryStore());
}

public sealed class GroupContract : DeviceGroupStoreContractTests
{
    protected override ValueTask<IDeviceStore> CreateStoreAsync() => new(new DictionaryStore());
}

public sealed class HealthSampleContract : HealthSampleStoreContractTests
{
    protected override ValueTask<IHealthSampleStore> CreateStoreAsync() => new(new DictionaryStore());
}

/// <summary>The samples on their own: the devices stay in the library's default store, as a host would run it.</summary>
public sealed class SeparateHealthSampleContract : HealthSampleStoreContractTests
{
    protected override ValueTask<IHealthSampleStore> CreateStoreAsync() => new(new DictionarySampleStore());
}

public sealed class TelemetryContract : TelemetryStoreContractTests
{
    protected override ValueTask<ITelemetryStore> CreateStoreAsync() => new(new DictionaryStore());
}

/// <summary>The telemetry on its own: the devices stay in the library's default store, as a host would run it.</summary>
public sealed class SeparateTelemetryContract : TelemetryStoreContractTests
{
    protected override ValueTask<ITelemetryStore> CreateStoreAsync() => new(new DictionaryTelemetryStore());
}

/// <summary>The maintenance schedule, an optional capability: the windows beside the devices, checked with the toolkit's rules.</summary>
public sealed class MaintenanceScheduleContract : MaintenanceScheduleStoreContractTests
{
    protected override ValueTask<IMaintenanceScheduleStore> CreateStoreAsync() => new(new DictionaryStore());
}
