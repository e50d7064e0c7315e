using Flux.Devices.Storage;

using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>Bulk registration: all or nothing, in every store.</summary>
public abstract partial class DeviceRegistryStoreContractTests
{
    /// <summary>The contract: <c>AddManyAsync</c>, devices: read back with their entries.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddManyAsync_Devices_ReadBackWithTheirEntries()
    {
        var additions = Enumerable.Range(1, 50).Select(i => NewStored($"BULK-{i:000}")).Select(p => new DeviceWrite(p.Device, p.Entry)).ToList();

        await Store.AddManyAsync(additions);

        foreach (var (device, entry) in additions)
        {
            Assert.Equal(device, await Store.GetAsync(device.Id));
            Assert.Equal([entry], await Store.GetHistoryAsync(device.Id));
        }

        Assert.Equal(additions.Select(a => a.Device.Name), (await Store.ListAsync(DeviceFilter.All)).Select(d => d.Name));
    }

    /// <summary>The contract: <c>AddManyAsync</c>, a name already stored: refuses the whole batch.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddManyAsync_ANameAlreadyStored_RefusesTheWholeBatch()
    {
        var stored = NewStored("BULK-002");
        await Store.AddAsync(stored.Device, stored.Entry);
        var additions = new[] { NewStored("BULK-001"), NewStored("BULK-002"), NewStored("BULK-003") }.Select(p => new DeviceWrite(p.Device, p.Entry)).ToList();

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(async () => await Store.AddManyAsync(additions));

        Assert.Equal(("name", "BULK-002"), (error.Field, error.Value));
        Assert.Equal(["BULK-002"], (await Store.ListAsync(DeviceFilter.All)).Select(d => d.Name));
    }

    /// <summary>The contract: <c>AddManyAsync</c>, a name twice in the batch: refuses the whole batch.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddManyAsync_ANameTwiceInTheBatch_RefusesTheWholeBatch()
    {
        var additions = new[] { NewStored("BULK-001"), NewStored("BULK-001") }.Select(p => new DeviceWrite(p.Device, p.Entry)).ToList();

        await Assert.ThrowsAsync<AlreadyExistsException>(async () => await Store.AddManyAsync(additions));

        Assert.Empty(await Store.ListAsync(DeviceFilter.All));
    }

    /// <summary>The contract: <c>RegisterManyAsync</c>, one invalid device: names it by its place and registers none.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task RegisterManyAsync_OneInvalidDevice_NamesItByItsPlaceAndRegistersNone()
    {
        var devices = new[]
        {
            ContractSamples.Bess("WLCE-BESS-01"),
            ContractSamples.Bess("WLCE-BESS-02") with { Metadata = DeviceMetadata.Parse(ContractSamples.BessMetadataJson).Without("efficiency") },
            ContractSamples.Meter("WLCE-GRID-METER"),
        };

        var error = await Assert.ThrowsAsync<DeviceValidationException>(async () => await Registry.RegisterManyAsync(devices));

        Assert.Equal(["devices[1].metadata.efficiency"], error.Errors.Select(e => e.Field));
        Assert.Empty(await Store.ListAsync(DeviceFilter.All));
    }

    /// <summary>The contract: <c>RegisterManyAsync</c>, valid devices: are registered in order with their history.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task RegisterManyAsync_ValidDevices_AreRegisteredInOrderWithTheirHistory()
    {
        var devices = Enumerable.Range(1, 20).Select(i => ContractSamples.Bess($"WLCE-BESS-{i:00}", modbusAddress: i)).ToList();

        var registered = await Registry.RegisterManyAsync(devices, "import");

        Assert.Equal(devices.Select(d => d.Name), registered.Select(d => d.Name));
        foreach (var device in registered)
        {
            Assert.Equal((DeviceState.Registered, 1L), (device.State, device.Version));
            Assert.Equal(device, await Registry.GetAsync(device.Id));
            Assert.Equal("import", Assert.Single(await Registry.GetHistoryAsync(device.Id)).Actor);
        }
    }
}
