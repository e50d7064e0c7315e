using Flux.Devices.Specification.Tests;
using Flux.Devices.Storage;

namespace Flux.Devices.Tests.Storage;

/// <summary>The in-memory store against the store contract.</summary>
public sealed class InMemoryDeviceStoreTests : DeviceStoreContractTests
{
    protected override ValueTask<IDeviceStore> CreateStoreAsync() => ValueTask.FromResult<IDeviceStore>(new InMemoryDeviceStore());
}
