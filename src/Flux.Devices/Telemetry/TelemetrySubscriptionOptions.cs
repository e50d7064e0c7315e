namespace Flux.Devices.Telemetry;

/// <summary>What a telemetry subscription (<see cref="IDeviceTelemetry.Subscribe"/>) receives, and how many readings may wait for it.</summary>
public sealed class TelemetrySubscriptionOptions
{
    /// <summary>The largest <see cref="Capacity"/>.</summary>
    public const int MaxCapacity = 10_000_000;

    /// <summary>Gets the devices to receive readings of; <see langword="null"/> or empty for every device.</summary>
    public IReadOnlyCollection<Guid>? DeviceIds { get; init; }

    /// <summary>Gets the points to receive (by name, <c>soe</c>); <see langword="null"/> or empty for every point.</summary>
    public IReadOnlyCollection<string>? Points { get; init; }

    /// <summary>
    /// Gets how many readings may wait for the subscriber. When it lags further, the oldest waiting reading is dropped for
    /// each new one, and counted.
    /// </summary>
    /// <value>The default value is 10,000. It must be from 1 to <see cref="MaxCapacity"/>.</value>
    public int Capacity { get; init; } = 10_000;
}
