namespace Flux.Devices.Templates;

/// <summary>The outcome for one device of a committed plan.</summary>
public sealed record TemplateResultItem
{
    /// <summary>Gets the device.</summary>
    public required Guid DeviceId { get; init; }

    /// <summary>Gets the device's name.</summary>
    public required string DeviceName { get; init; }

    /// <summary>Gets what became of it.</summary>
    public required TemplateOutcome Outcome { get; init; }

    /// <summary>Gets the device as written, for <see cref="TemplateOutcome.Applied"/>.</summary>
    public required Device? Device { get; init; }

    /// <summary>Gets why it was skipped, conflicted or refused.</summary>
    public required string? Reason { get; init; }
}
