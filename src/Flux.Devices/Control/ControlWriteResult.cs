namespace Flux.Devices.Control;

/// <summary>The end of a control write that was sent: confirmed by reading it back, or of unknown outcome.</summary>
public sealed record ControlWriteResult
{
    /// <summary>Gets what was sent.</summary>
    public required ControlWritePlan Plan { get; init; }

    /// <summary>Gets <see cref="ControlOutcome.Confirmed"/> or <see cref="ControlOutcome.Unknown"/>.</summary>
    public required ControlOutcome Outcome { get; init; }

    /// <summary>Gets a value indicating whether the device acknowledged the write and read back the values written.</summary>
    public bool IsConfirmed => Outcome == ControlOutcome.Confirmed;

    /// <summary>Gets the registers read back after the write; <see langword="null"/> when they could not be read.</summary>
    public IReadOnlyList<ushort>? ReadBack { get; init; }

    /// <summary>Gets why the outcome is unknown; <see langword="null"/> when confirmed.</summary>
    public string? Detail { get; init; }

    /// <summary>Gets the device's version after the outcome was recorded in its history.</summary>
    public required long Version { get; init; }
}
