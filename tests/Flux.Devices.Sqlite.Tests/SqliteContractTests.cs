using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

/// <summary>A SQLite store on a file of its own for each contract test, released and deleted after it.</summary>
internal sealed class ContractFile
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    public SqliteDeviceStore Create() => new(Path.Combine(_directory, "flux.db"));

    public ValueTask ReleaseAsync(object store)
    {
        ((SqliteDeviceStore)store).Dispose();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The embedded SQLite store against the contract of devices and their history.</summary>
public sealed class SqliteRegistryStoreTests : DeviceRegistryStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IDeviceRegistryStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IDeviceRegistryStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of groups and members.</summary>
public sealed class SqliteGroupStoreTests : DeviceGroupStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IDeviceStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IDeviceStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of health samples.</summary>
public sealed class SqliteHealthSampleStoreTests : HealthSampleStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IHealthSampleStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IHealthSampleStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of telemetry.</summary>
public sealed class SqliteTelemetryStoreTests : TelemetryStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<ITelemetryStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(ITelemetryStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of retention.</summary>
public sealed class SqliteRetentionStoreTests : RetentionStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IRetentionStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IRetentionStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of the archive.</summary>
public sealed class SqliteArchiveStoreTests : ArchiveStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IDeviceArchiveStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IDeviceArchiveStore store) => _file.ReleaseAsync(store);
}

/// <summary>The embedded SQLite store against the contract of the maintenance schedule.</summary>
public sealed class SqliteMaintenanceScheduleStoreTests : MaintenanceScheduleStoreContractTests
{
    private readonly ContractFile _file = new();

    protected override ValueTask<IMaintenanceScheduleStore> CreateStoreAsync() => new(_file.Create());

    protected override ValueTask DisposeStoreAsync(IMaintenanceScheduleStore store) => _file.ReleaseAsync(store);
}
