namespace Flux.Devices.Discovery;

/// <summary>What auto-registration did with one discovered device.</summary>
public sealed record DiscoveryResult
{
    /// <summary>Gets the device as found.</summary>
    public required DiscoveredDevice Discovered { get; init; }

    /// <summary>Gets what was done.</summary>
    public required DiscoveryOutcome Outcome { get; init; }

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
