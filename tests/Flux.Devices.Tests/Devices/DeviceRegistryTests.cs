using Flux.Devices.Lifecycle;
using Flux.Devices.Specification.Tests;
using Flux.Devices.Tests.Support;

namespace Flux.Devices.Tests.Devices;

public sealed class DeviceRegistryTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task RegisterAsync_SpecExamples_AreRegisteredActiveAtVersionOneWithTheClockTime()
    {
        var bess = await _fixture.Registry.RegisterAsync(SpecSamples.Bess(), actor: "installer");
        var meter = await _fixture.Registry.RegisterAsync(SpecSamples.Meter());

        Assert.Equal(SpecSamples.BessId, bess.Id);
        Assert.Equal(("WLCE-BESS-01", "bess", "WLCE", true, DeviceState.Registered, 1L), (bess.Name, bess.Type, bess.Site, bess.Active, bess.State, bess.Version));
        Assert.Equal(("WLCE-GRID-METER", "meter", "WLCE"), (meter.Name, meter.Type, meter.Site));
        Assert.Equal(_fixture.Time.GetUtcNow(), bess.CreatedAt);
        Assert.Equal(bess.CreatedAt, bess.UpdatedAt);
        Assert.Equal(DeviceMetadata.Parse(SpecSamples.BessMetadataJson), bess.Metadata);
        Assert.Equal([bess, meter], await _fixture.Registry.ListAsync(DeviceFilter.Parse("type=bess|meter,site=WLCE")));
        var entry = Assert.Single(await _fixture.Registry.GetHistoryAsync(bess.Id));
        Assert.Equal((DeviceChangeKind.Registered, (DeviceState?)null, DeviceState.Registered, "installer"), (entry.Kind, entry.FromState, entry.ToState, entry.Actor));
    }

    [Fact]
    public async Task RegisterAsync_WithoutId_GeneratesATimeOrderedUuid()
    {
        var first = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("A"));
        _fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("B"));

        Assert.Equal(7, first.Id.Version);
        Assert.True(first.Id.CompareTo(second.Id) < 0);
    }

    [Fact]
    public async Task UpdateAsync_CurrentVersion_AppliesBumpsVersionAndRecordsChangedFields()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        _fixture.Time.Advance(TimeSpan.FromMinutes(5));

        var updated = await _fixture.Registry.UpdateAsync(
            device.Id,
            device.Version,
            new DeviceUpdate { Site = "HMCE", Metadata = device.Metadata.With("firmware_version", "2.2.0").With("ip_address", "127.0.0.10") },
            actor: "ops");

        Assert.Equal(("HMCE", 2L, "2.2.0"), (updated.Site, updated.Version, updated.Metadata.GetString("firmware_version")));
        Assert.Equal(device.CreatedAt, updated.CreatedAt);
        Assert.Equal(_fixture.Time.GetUtcNow(), updated.UpdatedAt);
        var entry = (await _fixture.Registry.GetHistoryAsync(device.Id))[^1];
        Assert.Equal((DeviceChangeKind.Updated, 2L, "ops"), (entry.Kind, entry.Version, entry.Actor));
        Assert.Equal(["site", "metadata.firmware_version", "metadata.ip_address"], entry.ChangedFields);
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_ThrowsConflictAndNeverOverwrites()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Registry.UpdateAsync(device.Id, 1, new DeviceUpdate { Site = "HMCE" });
        var before = await _fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<DeviceConcurrencyException>(() =>
            _fixture.Registry.UpdateAsync(device.Id, 1, new DeviceUpdate { Site = "LFCE" }).AsTask());

        Assert.Equal((device.Id, 1L, (long?)2), (error.DeviceId, error.ExpectedVersion, error.ActualVersion));
        Assert.False(error.IsTransient);
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task UpdateAsync_NothingChanges_WritesNothingAndKeepsTheVersion()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());

        var same = await _fixture.Registry.UpdateAsync(
            device.Id,
            device.Version,
            new DeviceUpdate { Site = "WLCE", Metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson), Active = true });

        Assert.Equal(device, same);
        Assert.Single(await _fixture.Registry.GetHistoryAsync(device.Id));
    }

    [Fact]
    public async Task UpdateAsync_RenameToTakenName_ThrowsAlreadyExists()
    {
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var other = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-02"));

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() =>
            _fixture.Registry.UpdateAsync(other.Id, other.Version, new DeviceUpdate { Name = "WLCE-BESS-01" }).AsTask());

        Assert.Equal(("name", "WLCE-BESS-01"), (error.Field, error.Value));
        Assert.Equal(other, await _fixture.Registry.GetAsync(other.Id));
    }

    [Fact]
    public async Task UpdateAsync_DecommissionedDevice_ThrowsNamingTheState()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var gone = await _fixture.Registry.DecommissionAsync(device.Id, reason: "Replaced");

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() =>
            _fixture.Registry.UpdateAsync(device.Id, gone.Version, new DeviceUpdate { Site = "HMCE" }).AsTask());

        Assert.Equal("state", Assert.Single(error.Errors).Field);
        Assert.Equal(gone, await _fixture.Registry.GetAsync(device.Id));
    }

    [Fact]
    public async Task UnknownDevice_EveryOperation_ThrowsDeviceNotFound()
    {
        var id = Guid.NewGuid();

        await Assert.ThrowsAsync<DeviceNotFoundException>(() => _fixture.Registry.UpdateAsync(id, 1, new DeviceUpdate { Site = "X" }).AsTask());
        await Assert.ThrowsAsync<DeviceNotFoundException>(() => _fixture.Registry.FireAsync(id, DeviceTrigger.DeployConfig).AsTask());
        await Assert.ThrowsAsync<DeviceNotFoundException>(() => _fixture.Registry.DecommissionAsync(id).AsTask());
        var error = await Assert.ThrowsAsync<DeviceNotFoundException>(() => _fixture.Registry.GetHistoryAsync(id).AsTask());
        Assert.Equal(id, error.DeviceId);
        Assert.Null(await _fixture.Registry.GetAsync(id));
        Assert.Null(await _fixture.Registry.GetByNameAsync("nobody"));
    }

    [Fact]
    public async Task FireAsync_ExpectedVersionStale_ThrowsConflictWithoutRetrying()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Registry.UpdateAsync(device.Id, 1, new DeviceUpdate { Site = "HMCE" });

        var error = await Assert.ThrowsAsync<DeviceConcurrencyException>(() =>
            _fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, expectedVersion: 1).AsTask());

        Assert.Equal(2, error.ActualVersion);
        Assert.Equal(DeviceState.Registered, (await _fixture.Registry.GetAsync(device.Id))!.State);
    }

    [Fact]
    public async Task FireAsync_EnterMaintenanceWithoutReason_ThrowsNamingTheReason()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.FireAsync(device.Id, DeviceTrigger.EnterMaintenance).AsTask());

        Assert.Equal("reason", Assert.Single(error.Errors).Field);
        Assert.Equal(device, await _fixture.Registry.GetAsync(device.Id));
    }

    [Fact]
    public async Task FireAsync_EnterMaintenanceDirectly_HasTheSameEffectsAsTheMaintenanceService()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);

        var inMaintenance = await _fixture.Registry.FireAsync(device.Id, DeviceTrigger.EnterMaintenance, reason: "Inspection");

        Assert.False(inMaintenance.Active);
        Assert.True(Flux.Devices.Maintenance.MaintenanceInfo.TryRead(inMaintenance.Metadata, out var info));
        Assert.Equal(("Inspection", (TimeSpan?)null), (info.Reason, info.ExpectedDuration));
    }

    [Fact]
    public async Task Registry_WritesStructuredLogs()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig);

        var logs = _fixture.Logs.GetSnapshot();
        Assert.Contains(logs, l => l.Id.Id == 1000 && l.Category == "Flux.Devices.Registry" && l.Message.Contains("WLCE-BESS-01", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Id.Id == 2000 && l.Category == "Flux.Devices.Lifecycle" && l.Message.Contains("from Registered to Configured on DeployConfig", StringComparison.Ordinal));
    }
}
