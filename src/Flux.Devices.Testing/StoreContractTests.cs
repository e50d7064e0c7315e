using Flux.Devices.Groups;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.Testing.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Testing;

/// <summary>
/// What the store contracts share: a fresh store for each test, and the library's services on top of it. Derive from
/// <see cref="DeviceRegistryStoreContractTests"/>, <see cref="DeviceGroupStoreContractTests"/> or
/// <see cref="HealthSampleStoreContractTests"/>, one test class per capability your store has.
/// </summary>
/// <typeparam name="TStore">The capability under test.</typeparam>
/// <remarks>
/// The services are those of <c>AddFluxDevices()</c>. A store that is a whole <see cref="IDeviceStore"/> is plugged in
/// with <c>UseStore</c>; a store of one capability replaces that capability only, and the others stay in the default
/// in-memory store (so a sample store of its own is tested with the devices kept elsewhere, as a host would run it).
/// </remarks>
public abstract class StoreContractTests<TStore> : IAsyncLifetime
    where TStore : class
{
    private ServiceProvider? _services;

    /// <summary>Initializes a new instance of the <see cref="StoreContractTests{TStore}"/> class.</summary>
    protected StoreContractTests()
    {
    }

    /// <summary>Gets the clock every timestamp comes from; tests advance it by hand.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero));

    /// <summary>Gets the store under test.</summary>
    protected TStore Store { get; private set; } = null!;

    /// <summary>Gets the registry on top of the stores.</summary>
    protected IDeviceRegistry Registry { get; private set; } = null!;

    /// <summary>Gets the group service on top of the stores.</summary>
    protected IDeviceGroupService Groups { get; private set; } = null!;

    /// <summary>Gets the maintenance service on top of the stores.</summary>
    protected IMaintenanceService Maintenance { get; private set; } = null!;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync().ConfigureAwait(false);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        var builder = services.AddFluxDevices();
        if (Store is IDeviceStore whole)
        {
            builder.UseStore(whole); // an instance: the container leaves its disposal to DisposeStoreAsync
        }
        else
        {
            services.Replace(ServiceDescriptor.Singleton(Store));
        }

        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Registry = _services.GetRequiredService<IDeviceRegistry>();
        Groups = _services.GetRequiredService<IDeviceGroupService>();
        Maintenance = _services.GetRequiredService<IMaintenanceService>();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }

        if (Store is not null)
        {
            await DisposeStoreAsync(Store).ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Creates a fresh, empty store for one test.</summary>
    /// <returns>The store.</returns>
    protected abstract ValueTask<TStore> CreateStoreAsync();

    /// <summary>Releases a store after its test (the container never disposes it).</summary>
    /// <param name="store">The store.</param>
    /// <returns>A task that completes when the store is released.</returns>
    protected virtual ValueTask DisposeStoreAsync(TStore store) => ValueTask.CompletedTask;

    /// <summary>Registers a device and walks it to a state through the registry under test.</summary>
    private protected Task<Device> WalkToAsync(NewDevice device, DeviceState state) => ContractWalk.WalkToAsync(Registry, device, state);

    /// <summary>A new device at version 1 with its registration entry, as the registry would write them.</summary>
    private protected (Device Device, DeviceHistoryEntry Entry) NewStored(string name, DeviceMetadata? metadata = null, Guid? id = null)
    {
        var now = Time.GetUtcNow();
        var device = new Device
        {
            Id = id ?? Guid.NewGuid(),
            Name = name,
            Type = DeviceTypes.Bess,
            Site = "WLCE",
            Metadata = metadata ?? DeviceMetadata.Parse(ContractSamples.BessMetadataJson),
            CreatedAt = now,
            UpdatedAt = now,
        };
        var entry = new DeviceHistoryEntry
        {
            DeviceId = device.Id,
            Version = 1,
            Kind = DeviceChangeKind.Registered,
            ToState = DeviceState.Registered,
            Actor = "contract",
            Timestamp = now,
        };
        return (device, entry);
    }

    /// <summary>The history entry of an update to a device's current version.</summary>
    private protected DeviceHistoryEntry UpdateEntry(Device device, params string[] changedFields) => new()
    {
        DeviceId = device.Id,
        Version = device.Version,
        Kind = DeviceChangeKind.Updated,
        FromState = device.State,
        ToState = device.State,
        ChangedFields = changedFields,
        Reason = "contract",
        Timestamp = Time.GetUtcNow(),
    };
}
