using System.Diagnostics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;

namespace Flux.Devices.Tests.Templates;

/// <summary>A plan (the dry run) and a commit are each traced and logged under the templates category.</summary>
public sealed class TemplateTracingTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task PlanAndCommit_EachAnActivityWithTheTemplateTheDevicesAndTheOutcome_AndALogUnderTheTemplatesCategory()
    {
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        await _fixture.Registry.RegisterAsync(SpecSamples.Meter());
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        using var recorder = new ActivityRecorder();

        var plan = await _fixture.Templates.PlanAsync(template, DeviceFilter.Parse("site=WLCE"));
        await _fixture.Templates.CommitAsync(plan, actor: "ops");

        var planned = Assert.Single(recorder.Named(DeviceTemplateService.PlanActivityName));
        var committed = Assert.Single(recorder.Named(DeviceTemplateService.CommitActivityName));
        Assert.Equal(("powerpack_bess", 2, true), (planned.GetTagItem("flux.template.name"), planned.GetTagItem("flux.template.devices"), planned.GetTagItem("flux.template.dry_run")));
        Assert.Equal(("powerpack_bess", 2, false), (committed.GetTagItem("flux.template.name"), committed.GetTagItem("flux.template.devices"), committed.GetTagItem("flux.template.dry_run")));
        Assert.Equal((1, 0, 0), (committed.GetTagItem("flux.template.applied"), committed.GetTagItem("flux.template.refused"), committed.GetTagItem("flux.template.conflicts")));
        Assert.All([planned, committed], a => Assert.Equal((ActivityStatusCode.Unset, recorder.Root.SpanId), (a.Status, a.ParentSpanId)));

        var logs = _fixture.Logs.GetSnapshot().Where(l => l.Category == FluxDevicesDiagnostics.TemplatesCategory).ToList();
        Assert.Equal([FluxEventIds.TemplatePlanned, FluxEventIds.TemplateCommitted], logs.Select(l => l.Id.Id));
        Assert.Equal(
            "Committed template powerpack_bess over 2 device(s) (by ops): 1 applied, 0 refused, 0 conflict(s)",
            logs[1].Message);
    }

    [Fact]
    public async Task Plan_Cancelled_ActivityFailsWithTheErrorType()
    {
        var template = _fixture.TemplateLoader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        using var recorder = new ActivityRecorder();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await _fixture.Templates.PlanAsync(template, DeviceFilter.All, new CancellationToken(canceled: true)));

        var planned = Assert.Single(recorder.Named(DeviceTemplateService.PlanActivityName));
        Assert.Equal(ActivityStatusCode.Error, planned.Status);
        Assert.EndsWith("CanceledException", (string)planned.GetTagItem("error.type")!, StringComparison.Ordinal);
    }
}
