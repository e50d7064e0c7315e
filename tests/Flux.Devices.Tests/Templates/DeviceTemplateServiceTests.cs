using System.Text.Json;
using Flux.Devices.Lifecycle;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Flux.Devices.Tests.Templates;

public sealed class DeviceTemplateServiceTests : IDisposable
{
    private static readonly DeviceFilter SpecFilter = DeviceFilter.Parse("type=bess,site=WLCE");
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task SpecTemplate_AsPrinted_ConfiguresWlceBess01()
    {
        var bess = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");
        var before = await _fixture.SnapshotAsync();

        var plan = await _fixture.Templates.PlanAsync(template, SpecFilter);

        var item = Assert.Single(plan.Items);
        Assert.Equal((bess, TemplatePlanAction.Configure), (item.Device, item.Action));
        Assert.Equal(["config", "state"], item.Changes);
        Assert.Equal(before, await _fixture.SnapshotAsync());

        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var result = await _fixture.Templates.CommitAsync(plan, actor: "ops");

        var outcome = Assert.Single(result.Items);
        Assert.Equal(TemplateOutcome.Applied, outcome.Outcome);
        var stored = await _fixture.Registry.GetAsync(bess.Id);
        Assert.Equal(outcome.Device, stored);
        Assert.Equal((DeviceState.Configured, 2L, _fixture.Time.GetUtcNow()), (stored!.State, stored.Version, stored.UpdatedAt));
        Assert.Equal(bess.Metadata.With("config", template.Configuration.ToMetadata()), stored.Metadata);
        Assert.True(DeviceConfiguration.TryRead(stored.Metadata, out var config));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), 3), (config.PollingInterval!.Value, config.Timeout!.Value, config.RetryCount!.Value));
        Assert.Equal(2026, config.RegisterMap.Find("soe")!.Address);
        Assert.Equal(0.001, config.Scaling["energy"]);

        var entry = (await _fixture.Registry.GetHistoryAsync(bess.Id))[^1];
        Assert.Equal(
            (DeviceChangeKind.Transitioned, DeviceState.Registered, DeviceState.Configured, DeviceTrigger.DeployConfig, "template powerpack_bess", "ops"),
            (entry.Kind, entry.FromState!.Value, entry.ToState, entry.Trigger!.Value, entry.Reason, entry.Actor));
        Assert.Equal(["state", "metadata.config"], entry.ChangedFields);
    }

    [Fact]
    public async Task SameTemplateTwice_SecondTimeChangesNothing()
    {
        var bess = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        await _fixture.Templates.CommitAsync(await _fixture.Templates.PlanAsync(template, SpecFilter));
        var before = await _fixture.SnapshotAsync();

        // The same template, loaded again from its printed form: the same configuration.
        var again = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");
        var plan = await _fixture.Templates.PlanAsync(again, SpecFilter);
        var result = await _fixture.Templates.CommitAsync(plan);

        Assert.Equal(TemplatePlanAction.Unchanged, Assert.Single(plan.Items).Action);
        Assert.Equal(0, plan.ChangeCount);
        Assert.Equal(TemplateOutcome.Unchanged, Assert.Single(result.Items).Outcome);
        Assert.Equal(before, await _fixture.SnapshotAsync());
        Assert.Equal(2, (await _fixture.Registry.GetAsync(bess.Id))!.Version);
    }

    [Fact]
    public async Task Plan_DevicesTheTemplateIsNotFor_AreSkippedWithTheReason()
    {
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        await _fixture.Registry.RegisterAsync(SpecSamples.Meter());
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-02", modbusAddress: 3) with
        {
            Metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With("manufacturer", "Tesla").With("modbus_address", 3L),
        });
        var retired = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-03", modbusAddress: 4));
        await _fixture.Registry.DecommissionAsync(retired.Id);
        var serviced = await _fixture.WalkToAsync(SpecSamples.Bess("WLCE-BESS-04", modbusAddress: 5), DeviceState.Active);
        await _fixture.Maintenance.EnterAsync(serviced.Id, "Firmware upgrade", TimeSpan.FromHours(2));
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-05", modbusAddress: 6) with
        {
            Metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With("manufacturer", "POWERPACK").With("modbus_address", 6L),
        });
        var before = await _fixture.SnapshotAsync();

        var plan = await _fixture.Templates.PlanAsync(template, DeviceFilter.Parse("site=WLCE"));
        var result = await _fixture.Templates.CommitAsync(plan);

        Assert.Equal(
            [
                ("WLCE-BESS-02", TemplatePlanAction.Skip, "manufacturer mismatch: the device is made by Tesla, the template is for PowerPack"),
                ("WLCE-BESS-03", TemplatePlanAction.Skip, "decommissioned"),
                ("WLCE-BESS-04", TemplatePlanAction.Skip, "in maintenance"),
                ("WLCE-BESS-05", TemplatePlanAction.Configure, null),
                ("WLCE-GRID-METER", TemplatePlanAction.Skip, "type mismatch: the device is a meter, the template is for bess"),
            ],
            plan.Items.Select(i => (i.Device.Name, i.Action, i.Reason)));
        Assert.Equal(
            [TemplateOutcome.Skipped, TemplateOutcome.Skipped, TemplateOutcome.Skipped, TemplateOutcome.Applied, TemplateOutcome.Skipped],
            result.Items.Select(i => i.Outcome));
        Assert.Equal(1, result.Applied);
        Assert.NotEqual(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task Plan_ChangedTemplate_NamesEachChangedSettingAndRegister()
    {
        var active = await _fixture.WalkToAsync(SpecSamples.Bess(), DeviceState.Active);
        var first = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        await _fixture.Templates.CommitAsync(await _fixture.Templates.PlanAsync(first, SpecFilter));
        var changed = _fixture.TemplateLoader.Load(
            SpecSamples.PowerPackTemplate.Replace("polling_interval: 60s", "polling_interval: 30s", StringComparison.Ordinal)
                .Replace("soe: 2026", "soe: 2030", StringComparison.Ordinal),
            "powerpack_bess.yaml");

        var plan = await _fixture.Templates.PlanAsync(changed, SpecFilter);
        var result = await _fixture.Templates.CommitAsync(plan);

        var item = Assert.Single(plan.Items);
        Assert.Equal(TemplatePlanAction.Update, item.Action);
        Assert.Equal(["config.polling_interval", "config.register_map", "config.registers.soe"], item.Changes);
        var stored = Assert.Single(result.Items).Device!;
        Assert.Equal((DeviceState.Active, active.Version + 2), (stored.State, stored.Version));
        var entry = (await _fixture.Registry.GetHistoryAsync(active.Id))[^1];
        Assert.Equal((DeviceChangeKind.Updated, (DeviceTrigger?)null, "template powerpack_bess"), (entry.Kind, entry.Trigger, entry.Reason));
        Assert.Equal(["metadata.config"], entry.ChangedFields);
    }

    [Fact]
    public async Task Commit_DeviceEditedAfterThePlan_IsAConflictForThatDeviceOnly()
    {
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        var a = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-01", modbusAddress: 1));
        var b = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-02", modbusAddress: 2));
        var c = await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-03", modbusAddress: 3));
        var plan = await _fixture.Templates.PlanAsync(template, SpecFilter);
        var edited = await _fixture.Registry.UpdateAsync(b.Id, b.Version, new DeviceUpdate { Metadata = b.Metadata.With("firmware_version", "2.2.0") });

        var result = await _fixture.Templates.CommitAsync(plan);

        Assert.Equal([TemplateOutcome.Applied, TemplateOutcome.Conflict, TemplateOutcome.Applied], result.Items.Select(i => i.Outcome));
        Assert.Equal((1, 2), (result.Conflicts, result.Applied));
        Assert.Equal("the device changed after the plan was made (it was at version 1); plan again", result.Items[1].Reason);
        Assert.Equal(edited, await _fixture.Registry.GetAsync(b.Id));
        Assert.Equal(DeviceState.Configured, (await _fixture.Registry.GetAsync(a.Id))!.State);
        Assert.Equal(DeviceState.Configured, (await _fixture.Registry.GetAsync(c.Id))!.State);

        // Planning again picks the edit up and configures the device.
        var retry = await _fixture.Templates.CommitAsync(await _fixture.Templates.PlanAsync(template, SpecFilter));
        Assert.Equal([TemplateOutcome.Unchanged, TemplateOutcome.Applied, TemplateOutcome.Unchanged], retry.Items.Select(i => i.Outcome));
        Assert.Equal("2.2.0", (await _fixture.Registry.GetAsync(b.Id))!.Metadata.GetString("firmware_version"));
    }

    [Fact]
    public async Task Commit_SamePlanTwice_SecondIsAllConflicts()
    {
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var plan = await _fixture.Templates.PlanAsync(template, SpecFilter);
        await _fixture.Templates.CommitAsync(plan);
        var before = await _fixture.SnapshotAsync();

        var second = await _fixture.Templates.CommitAsync(plan);

        Assert.Equal(TemplateOutcome.Conflict, Assert.Single(second.Items).Outcome);
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task Commit_DeviceTheConfigurationWouldMakeTooLarge_IsRefusedAloneAndNothingIsWrittenForIt()
    {
        using var fixture = new RegistryFixture(b => b.Services.Configure<FluxDevicesOptions>(o => o.MaxMetadataBytes = 2048));
        var template = fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        var small = await fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-01"));
        // Fits on its own, but not with the configuration block added.
        var baseMetadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With("modbus_address", 2L).With("notes", string.Empty);
        var notes = new string('x', 2048 - baseMetadata.GetUtf8ByteCount() - (template.Configuration.ToMetadata().GetUtf8ByteCount() / 2));
        var large = await fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-02", modbusAddress: 2) with { Metadata = baseMetadata.With("notes", notes) });

        var result = await fixture.Templates.CommitAsync(await fixture.Templates.PlanAsync(template, SpecFilter));

        Assert.Equal([TemplateOutcome.Applied, TemplateOutcome.Refused], result.Items.Select(i => i.Outcome));
        Assert.Contains("metadata", result.Items[1].Reason, StringComparison.Ordinal);
        Assert.Contains("2048", result.Items[1].Reason, StringComparison.Ordinal);
        Assert.Equal(large, await fixture.Registry.GetAsync(large.Id));
        Assert.Single(await fixture.Registry.GetHistoryAsync(large.Id));
        Assert.Equal(DeviceState.Configured, (await fixture.Registry.GetAsync(small.Id))!.State);
    }

    [Fact]
    public async Task Commit_RegisteredDevice_TellsObserversOfTheDeployment()
    {
        var observer = new Mock<IDeviceLifecycleObserver>();
        var seen = new List<DeviceTransitioned>();
        observer.Setup(o => o.OnTransitionedAsync(It.IsAny<DeviceTransitioned>(), It.IsAny<CancellationToken>()))
            .Callback((DeviceTransitioned e, CancellationToken _) => seen.Add(e))
            .Returns(ValueTask.CompletedTask);
        using var fixture = new RegistryFixture(b => b.Services.AddSingleton(observer.Object));
        var bess = await fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var template = fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");

        var result = await fixture.Templates.CommitAsync(await fixture.Templates.PlanAsync(template, SpecFilter));

        var transition = Assert.Single(seen);
        Assert.Equal((bess, result.Items[0].Device), (transition.Previous, transition.Device));
        Assert.Equal((DeviceTrigger.DeployConfig, LifecycleAction.UpdateMetadata), (transition.Transition.Trigger, transition.Transition.Action));
    }

    [Fact]
    public async Task Plan_NothingMatches_IsEmptyAndCommitsNothing()
    {
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess());

        var plan = await _fixture.Templates.PlanAsync(template, DeviceFilter.Parse("site=HMCE"));
        var result = await _fixture.Templates.CommitAsync(plan);

        Assert.Empty(plan.Items);
        Assert.Empty(result.Items);
    }

    [Fact]
    public async Task Plan_RendersAsATableAndAsJson()
    {
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        var bess = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Registry.RegisterAsync(SpecSamples.Meter());

        var plan = await _fixture.Templates.PlanAsync(template, DeviceFilter.Parse("site=WLCE"));

        Assert.Equal(
            """
            DEVICE           STATE       ACTION     DETAIL
            WLCE-BESS-01     Registered  Configure  config, state
            WLCE-GRID-METER  Registered  Skip       type mismatch: the device is a meter, the template is for bess
            2 devices match "site=WLCE": 1 to change, 0 unchanged, 1 skipped.

            """.ReplaceLineEndings("\n"),
            plan.ToTable());

        using var json = JsonDocument.Parse(plan.ToJson());
        var root = json.RootElement;
        Assert.Equal(("powerpack_bess", "site=WLCE", 2, 1), (root.GetProperty("template").GetString(), root.GetProperty("filter").GetString(), root.GetProperty("matched").GetInt32(), root.GetProperty("to_change").GetInt32()));
        var first = root.GetProperty("devices")[0];
        Assert.Equal(bess.Id, first.GetProperty("id").GetGuid());
        Assert.Equal(("WLCE-BESS-01", "registered", 1, "configure"), (first.GetProperty("name").GetString(), first.GetProperty("state").GetString(), first.GetProperty("version").GetInt32(), first.GetProperty("action").GetString()));
        Assert.Equal(["config", "state"], first.GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        Assert.False(first.TryGetProperty("reason", out _));
        var second = root.GetProperty("devices")[1];
        Assert.Equal(("skip", "type mismatch: the device is a meter, the template is for bess"), (second.GetProperty("action").GetString(), second.GetProperty("reason").GetString()));
    }
}
