namespace Flux.Devices.Templates;

/// <summary>The outcome of committing a <see cref="TemplatePlan"/>.</summary>
public sealed record TemplateResult
{
    /// <summary>Gets the outcome per device, in plan order.</summary>
    public required IReadOnlyList<TemplateResultItem> Items { get; init; }

    /// <summary>Gets how many devices were written.</summary>
    public int Applied => Items.Count(i => i.Outcome == TemplateOutcome.Applied);

    /// <summary>Gets how many devices had changed since the plan was made.</summary>
    public int Conflicts => Items.Count(i => i.Outcome == TemplateOutcome.Conflict);
}
