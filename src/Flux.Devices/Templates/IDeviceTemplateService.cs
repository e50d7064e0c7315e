namespace Flux.Devices.Templates;

/// <summary>
/// Applies configuration templates to fleets: <c>flux devices apply-template --template ... --filter ... [--commit]</c>
/// as a library call. <see cref="PlanAsync"/> is the dry run; <see cref="CommitAsync"/> writes a plan.
/// </summary>
/// <example>
/// <code>
/// var template = await loader.LoadFileAsync("templates/powerpack_bess.yaml", ct);
/// var plan = await templates.PlanAsync(template, DeviceFilter.Parse("type=bess,site=WLCE"), ct);
/// Console.Write(plan.ToTable());
/// var result = await templates.CommitAsync(plan, actor: "ops", cancellationToken: ct);
/// </code>
/// </example>
public interface IDeviceTemplateService
{
    /// <summary>
    /// Plans applying a template to the devices a filter selects, without writing anything. Each device gets an
    /// action: <see cref="TemplatePlanAction.Configure"/> (Registered: gets the configuration and moves to
    /// Configured), <see cref="TemplatePlanAction.Update"/>, <see cref="TemplatePlanAction.Unchanged"/>, or
    /// <see cref="TemplatePlanAction.Skip"/> with the reason (decommissioned, type mismatch, manufacturer mismatch,
    /// in maintenance).
    /// </summary>
    /// <param name="deviceTemplate">The template.</param>
    /// <param name="filter">Selects the devices.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan, renderable with <see cref="TemplatePlan.ToTable"/> and <see cref="TemplatePlan.ToJson"/>.</returns>
    ValueTask<TemplatePlan> PlanAsync(DeviceTemplate deviceTemplate, DeviceFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a plan in one store batch. Each device is written only if it is still at the version the plan saw:
    /// a device edited or removed since is a <see cref="TemplateOutcome.Conflict"/> for that device alone, and the
    /// others are written. Every written device gets one history entry (a transition to Configured for a Registered
    /// device). Committing a plan whose devices already have the configuration writes nothing.
    /// </summary>
    /// <param name="plan">A plan from <see cref="PlanAsync"/>.</param>
    /// <param name="actor">Who applies it, for the history.</param>
    /// <param name="cancellationToken">Cancels the call; a store batch already sent is not undone.</param>
    /// <returns>The outcome per device, in plan order.</returns>
    /// <exception cref="DeviceValidationException"><paramref name="actor"/> is too long or not printable.</exception>
    ValueTask<TemplateResult> CommitAsync(TemplatePlan plan, string? actor = null, CancellationToken cancellationToken = default);
}
