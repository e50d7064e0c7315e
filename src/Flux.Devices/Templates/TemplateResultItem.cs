namespace Flux.Devices.Templates;

/// <summary>The outcome for one device of a committed plan.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="DeviceName">The device's name.</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Device">The device as written, for <see cref="TemplateOutcome.Applied"/>.</param>
/// <param name="Reason">Why it was skipped, conflicted or refused.</param>
public sealed record TemplateResultItem(Guid DeviceId, string DeviceName, TemplateOutcome Outcome, Device? Device, string? Reason);
