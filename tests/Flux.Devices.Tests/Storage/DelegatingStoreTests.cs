using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Flux.Devices.Testing;

namespace Flux.Devices.Tests.Storage;

/// <summary>A decorator on <see cref="DelegatingDeviceStore"/> that overrides nothing passes every contract, as its inner store does.</summary>
public sealed class DelegatingStoreTests : DeviceRegistryStoreContractTests
{
    protected override ValueTask<IDeviceRegistryStore> CreateStoreAsync() => new(new PassThrough(new InMemoryDeviceStore()));

    private sealed class PassThrough(IDeviceStore inner) : DelegatingDeviceStore(inner);
}
