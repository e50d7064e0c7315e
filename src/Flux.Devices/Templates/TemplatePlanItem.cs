namespace Flux.Devices.Templates;

/// <summary>The plan for one device.</summary>
public sealed record TemplatePlanItem
{
    /// <summary>Gets the device as the plan saw it; a commit writes only if the device is still at this version.</summary>
    public required Device Device { get; init; }

    /// <summary>Gets what applying the template does.</summary>
    public required TemplatePlanAction Action { get; init; }

    /// <summary>Gets why the device is skipped (type mismatch, manufacturer mismatch, decommissioned, in maintenance).</summary>
    public string? Reason { get; init; }

    /// <summary>Gets what changes in the device's metadata (<c>config</c>, <c>config.polling_interval</c>, <c>config.registers.soe</c>).</summary>
    public IReadOnlyList<string> Changes { get; init; } = [];

    /// <summary>Gets the metadata the device gets, for <see cref="TemplatePlanAction.Configure"/> and <see cref="TemplatePlanAction.Update"/>.</summary>
    public DeviceMetadata? NewMetadata { get; init; }
}
