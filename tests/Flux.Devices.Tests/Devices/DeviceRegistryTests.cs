using Flux.Devices.Diagnostics;
using Flux.Devices.Lifecycle;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

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
        Assert.Contains(logs, l => l.Id.Id == 1000 && l.Category == FluxDevicesDiagnostics.RegistryCategory && l.Message.Contains("WLCE-BESS-01", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Id.Id == 2000 && l.Category == FluxDevicesDiagnostics.LifecycleCategory && l.Message.Contains("from Registered to Configured on DeployConfig", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FireAsync_CallerCancelsAfterTheCommit_TransitionSucceedsAndEveryObserverRuns()
    {
        using var cts = new CancellationTokenSource();
        var seen = new List<CancellationToken>();
        using var fixture = new RegistryFixture(b => b.Services
            .AddSingleton<Flux.Devices.Lifecycle.IDeviceLifecycleObserver>(new DelegateObserver((_, token) =>
            {
                seen.Add(token);
                cts.Cancel(); // the caller gives up while the first observer runs
                token.ThrowIfCancellationRequested();
            }))
            .AddSingleton<Flux.Devices.Lifecycle.IDeviceLifecycleObserver>(new DelegateObserver((_, token) =>
            {
                seen.Add(token);
                token.ThrowIfCancellationRequested();
            })));
        var device = await fixture.Registry.RegisterAsync(SpecSamples.Bess());

        var configured = await fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: cts.Token);

        Assert.Equal(DeviceState.Configured, configured.State);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, t => Assert.False(t.IsCancellationRequested));
        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task FireAsync_CallerAlreadyCancelled_WritesNothing()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: new CancellationToken(canceled: true)).AsTask());

        Assert.Equal(device, await _fixture.Registry.GetAsync(device.Id));
    }

    [Fact]
    public async Task FireAsync_DeployConfigWithMetadata_MovesAndWritesTheMetadataInOneVersion()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var deployed = device.Metadata.With("polling_interval", "60s").With("register_map", "powerpack_bess");

        var configured = await _fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, reason: "powerpack_bess.yaml", metadata: deployed);

        Assert.Equal((DeviceState.Configured, 2L), (configured.State, configured.Version));
        Assert.Equal(deployed, configured.Metadata);
        var entry = (await _fixture.Registry.GetHistoryAsync(device.Id))[^1];
        Assert.Equal(["state", "metadata.polling_interval", "metadata.register_map"], entry.ChangedFields);
    }

    [Fact]
    public async Task FireAsync_MetadataWithAnotherTriggerOrInvalid_ThrowsAndWritesNothing()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var before = await _fixture.SnapshotAsync();

        var wrongTrigger = await Assert.ThrowsAsync<DeviceValidationException>(() =>
            _fixture.Registry.FireAsync(device.Id, DeviceTrigger.Decommission, metadata: device.Metadata).AsTask());
        var invalid = await Assert.ThrowsAsync<DeviceValidationException>(() =>
            _fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, metadata: device.Metadata.With("efficiency", 7.0)).AsTask());

        Assert.Equal("metadata", Assert.Single(wrongTrigger.Errors).Field);
        Assert.Equal("metadata.efficiency", Assert.Single(invalid.Errors).Field);
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("reason", @"a\u0000b")]
    [InlineData("actor", @"a\u0000b")]
    [InlineData("reason", @"\ud800")]
    public async Task FireAsync_TextNoStoreCanHold_ThrowsNamingTheField(string field, string escaped)
    {
        var text = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => field == "reason"
            ? _fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, reason: text).AsTask()
            : _fixture.Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, actor: text).AsTask());

        Assert.Equal(field, Assert.Single(error.Errors).Field);
        Assert.Equal(device, await _fixture.Registry.GetAsync(device.Id));
    }

    [Fact]
    public async Task UpdateAsync_TouchingWhatMaintenanceOwns_ThrowsNamingTheFields()
    {
        var device = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var inMaintenance = await _fixture.Maintenance.EnterAsync(device.Id, "Firmware upgrade");
        var before = await _fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.UpdateAsync(
            device.Id,
            inMaintenance.Version,
            new DeviceUpdate { Active = true, Metadata = inMaintenance.Metadata.Without("maintenance") }).AsTask());
        var forged = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.UpdateAsync(
            device.Id,
            inMaintenance.Version,
            new DeviceUpdate { Metadata = inMaintenance.Metadata.With("maintenance", "done") }).AsTask());

        Assert.Equal(["metadata.maintenance", "active"], error.Errors.Select(e => e.Field));
        Assert.Equal("metadata.maintenance", Assert.Single(forged.Errors).Field);
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task UpdateAsync_StaleMaintenanceBlockOnADeviceNotInMaintenance_CanBeRemovedButNotAdded()
    {
        // The spec's SQL puts a device "in maintenance" by writing the block and active=false, and nothing else.
        var block = DeviceMetadata.Parse("""{"started_at":"2024-01-01T10:00:00Z","reason":"Firmware upgrade","expected_duration":"2 hours"}""");
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess() with { Metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With("maintenance", block), Active = false });
        var other = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-02"));

        var cleaned = await _fixture.Registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Metadata = device.Metadata.Without("maintenance"), Active = true });
        var error = await Assert.ThrowsAsync<DeviceValidationException>(() =>
            _fixture.Registry.UpdateAsync(other.Id, other.Version, new DeviceUpdate { Metadata = other.Metadata.With("maintenance", block) }).AsTask());

        Assert.False(cleaned.Metadata.ContainsKey("maintenance"));
        Assert.True(cleaned.Active);
        Assert.Equal("metadata.maintenance", Assert.Single(error.Errors).Field);
    }

    [Fact]
    public async Task UpdateAsync_SiteChangeThatLeavesASiteGroup_ThrowsNamingTheGroup()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var fleet = await _fixture.Groups.CreateAsync(new Flux.Devices.Groups.NewDeviceGroup { Name = "WLCE-BESS-Fleet", Site = "WLCE", GroupType = Flux.Devices.Groups.DeviceGroupType.Control });
        var all = await _fixture.Groups.CreateAsync(new Flux.Devices.Groups.NewDeviceGroup { Name = "Everything", Site = "ALL", GroupType = Flux.Devices.Groups.DeviceGroupType.Analysis });
        await _fixture.Groups.AddMemberAsync(fleet.Id, device.Id);
        await _fixture.Groups.AddMemberAsync(all.Id, device.Id);

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() =>
            _fixture.Registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Site = "HMCE" }).AsTask());
        await _fixture.Groups.RemoveMemberAsync(fleet.Id, device.Id);
        var moved = await _fixture.Registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Site = "HMCE" });

        var only = Assert.Single(error.Errors);
        Assert.Equal("site", only.Field);
        Assert.Contains("WLCE-BESS-Fleet", only.Message, StringComparison.Ordinal);
        Assert.Equal("HMCE", moved.Site);
    }

    [Fact]
    public async Task GetHistoryAsync_ChangedFields_CannotBeAlteredThroughTheReturnedList()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Registry.UpdateAsync(device.Id, 1, new DeviceUpdate { Site = "HMCE" });

        var fields = (await _fixture.Registry.GetHistoryAsync(device.Id))[^1].ChangedFields;

        Assert.False(fields is List<string> or string[]);
        Assert.Equal(["site"], fields);
    }

    private sealed class DelegateObserver(Action<Flux.Devices.Lifecycle.DeviceTransitioned, CancellationToken> onTransitioned)
        : Flux.Devices.Lifecycle.IDeviceLifecycleObserver
    {
        public ValueTask OnTransitionedAsync(Flux.Devices.Lifecycle.DeviceTransitioned transition, CancellationToken cancellationToken)
        {
            onTransitioned(transition, cancellationToken);
            return ValueTask.CompletedTask;
        }
    }
}
