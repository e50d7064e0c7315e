using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Flux.Devices.Maintenance;

/// <summary>
/// The <c>metadata.maintenance</c> block of a device in maintenance, in the spec's JSON shape:
/// <c>{"started_at": "2024-01-01T10:00:00Z", "reason": "Firmware upgrade", "expected_duration": "2 hours"}</c>.
/// </summary>
public sealed record MaintenanceInfo
{
    /// <summary>The metadata key of the block (<c>maintenance</c>).</summary>
    public const string MetadataKey = "maintenance";

    /// <summary>Gets when maintenance started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets why the device is in maintenance.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets how long maintenance is expected to take, when said.</summary>
    public TimeSpan? ExpectedDuration { get; init; }

    /// <summary>Gets when maintenance is expected to end, when a duration was said.</summary>
    public DateTimeOffset? ExpectedEnd => ExpectedDuration is { } duration ? StartedAt + duration : null;

    /// <summary>
    /// Reads the block from a device's metadata. Rows written by other tools are accepted when
    /// <c>started_at</c> is an ISO 8601 time and <c>reason</c> a string; an <c>expected_duration</c> that
    /// <see cref="DurationText"/> cannot read is left out.
    /// </summary>
    /// <param name="metadata">The device's metadata.</param>
    /// <param name="info">The block, when present and readable.</param>
    /// <returns><see langword="true"/> when the block is present and readable.</returns>
    public static bool TryRead(DeviceMetadata metadata, [NotNullWhen(true)] out MaintenanceInfo? info)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        info = null;
        if (!metadata.TryGetValue(MetadataKey, out var block)
            || block.ValueKind != JsonValueKind.Object
            || !block.TryGetProperty("started_at", out var started)
            || started.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(started.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var startedAt)
            || !block.TryGetProperty("reason", out var reason)
            || reason.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        TimeSpan? expected = null;
        if (block.TryGetProperty("expected_duration", out var duration)
            && duration.ValueKind == JsonValueKind.String
            && DurationText.TryParse(duration.GetString(), out var parsed))
        {
            expected = parsed;
        }

        info = new MaintenanceInfo { StartedAt = startedAt, Reason = reason.GetString()!, ExpectedDuration = expected };
        return true;
    }

    /// <summary>
    /// Returns the block as metadata, to be set under <see cref="MetadataKey"/>: <c>started_at</c> in UTC to the
    /// second and <c>expected_duration</c> in words, as the spec writes them.
    /// </summary>
    /// <returns>The block.</returns>
    public DeviceMetadata ToMetadata()
    {
        var block = DeviceMetadata.Empty
            .With("started_at", StartedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
            .With("reason", Reason);
        return ExpectedDuration is { } duration ? block.With("expected_duration", DurationText.Format(duration)) : block;
    }
}
