namespace Flux.Devices.Discovery;

/// <summary>What auto-registration did with one discovered device.</summary>
/// <param name="Discovered">The device as found.</param>
/// <param name="Outcome">What was done.</param>
public sealed record DiscoveryResult(DiscoveredDevice Discovered, DiscoveryOutcome Outcome)
{
    /// <summary>
    /// Gets the registry's device: registered, already there or moved (in a dry run, as it is before the move);
    /// <see langword="null"/> otherwise.
    /// </summary>
    public Device? Device { get; init; }

    /// <summary>Gets the name it has or would have; <see langword="null"/> for an unknown device.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the rules the metadata broke, for <see cref="DiscoveryOutcome.Invalid"/>.</summary>
    public IReadOnlyList<DeviceValidationError> Errors { get; init; } = [];
}
