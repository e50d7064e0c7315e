using System.Text.Json;
using System.Text.Json.Serialization;
using Flux.Devices.Health.Internal;
using Flux.Devices.Internal;

namespace Flux.Devices.Health;

/// <summary>How a device answered its last poll: the spec's <c>status</c> column of <c>flux.device_health</c>.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<DeviceHealthStatus>))]
public enum DeviceHealthStatus
{
    /// <summary>The poll succeeded at the first attempt, within the response-time threshold.</summary>
    Online = 0,

    /// <summary>The poll failed after its retries.</summary>
    Offline = 1,

    /// <summary>The poll succeeded, but slower than the threshold or only after a retry.</summary>
    Degraded = 2,
}

/// <summary>What went wrong in a poll, as a class of failure.</summary>
[JsonConverter(typeof(SnakeCaseEnumConverter<HealthErrorKind>))]
public enum HealthErrorKind
{
    /// <summary>No reply came before the deadline.</summary>
    Timeout = 0,

    /// <summary>The connection could not be opened or was lost.</summary>
    Transport = 1,

    /// <summary>The reply was malformed.</summary>
    Protocol = 2,

    /// <summary>The device answered with a Modbus exception (see <see cref="HealthDiagnostics.ExceptionCode"/>).</summary>
    DeviceException = 3,

    /// <summary>The registry does not say how to reach the device (no <c>ip_address</c>, a bad <c>port</c> or <c>modbus_address</c>).</summary>
    Configuration = 4,
}

/// <summary>The details of a failed or degraded poll: the spec's <c>diagnostics</c> column.</summary>
/// <remarks>
/// The column is free-form JSON in the spec, and other tools write to it. Keys this type does not know, and known keys
/// whose values are not of the expected type, are kept in <see cref="AdditionalProperties"/> and written back as they
/// were; a value that is not a JSON object is kept under the key <c>value</c>. Reading never fails on what another
/// writer put there.
/// </remarks>
[JsonConverter(typeof(HealthDiagnosticsJsonConverter))]
public sealed record HealthDiagnostics
{
    /// <summary>Gets the class of the last failure, if any.</summary>
    [JsonPropertyName("error_kind")]
    public HealthErrorKind? ErrorKind { get; init; }

    /// <summary>Gets the text of the last failure, if any.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }

    /// <summary>Gets the Modbus exception code of the last failure, when the device sent one.</summary>
    [JsonPropertyName("exception_code")]
    public int? ExceptionCode { get; init; }

    /// <summary>Gets how many attempts the poll made (1 when the first succeeded).</summary>
    [JsonPropertyName("attempts")]
    public int Attempts { get; init; }

    /// <summary>Gets the other keys of the diagnostics object, as another writer put them; empty for the library's own samples.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, JsonElement> AdditionalProperties { get; init; } = EmptyProperties;

    private static IReadOnlyDictionary<string, JsonElement> EmptyProperties { get; } = new Dictionary<string, JsonElement>(0);

    /// <summary>Compares every field, the additional properties by key and by JSON value.</summary>
    /// <param name="other">The diagnostics to compare with.</param>
    /// <returns><see langword="true"/> when every field is equal.</returns>
    public bool Equals(HealthDiagnostics? other) =>
        other is not null
        && ErrorKind == other.ErrorKind
        && string.Equals(Error, other.Error, StringComparison.Ordinal)
        && ExceptionCode == other.ExceptionCode
        && Attempts == other.Attempts
        && AdditionalProperties.Count == other.AdditionalProperties.Count
        && AdditionalProperties.All(p => other.AdditionalProperties.TryGetValue(p.Key, out var value) && JsonElement.DeepEquals(p.Value, value));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ErrorKind, Error, ExceptionCode, Attempts, AdditionalProperties.Count);
}

/// <summary>
/// One health check of one device: a row of the spec's <c>flux.device_health</c> time series, keyed by device and
/// timestamp.
/// </summary>
/// <remarks>
/// Unlike the spec's sample code, <see cref="ErrorCount"/> counts consecutive failed polls, carried from one sample
/// to the next and reset by a success, and <see cref="LastSuccessfulPoll"/> is carried forward through failures.
/// </remarks>
public sealed record DeviceHealthSample
{
    /// <summary>Gets the device.</summary>
    [JsonPropertyName("device_id")]
    public required Guid DeviceId { get; init; }

    /// <summary>Gets when the poll started. Stores keep it to the microsecond, as PostgreSQL does.</summary>
    [JsonPropertyName("timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the outcome.</summary>
    [JsonPropertyName("status")]
    public required DeviceHealthStatus Status { get; init; }

    /// <summary>Gets how long the successful attempt took, in milliseconds; <see langword="null"/> when the poll failed.</summary>
    [JsonPropertyName("response_time_ms")]
    public int? ResponseTimeMs { get; init; }

    /// <summary>Gets how many polls in a row have failed, this one included; 0 after a success.</summary>
    [JsonPropertyName("error_count")]
    public int ErrorCount { get; init; }

    /// <summary>Gets when the device last answered a poll (this one, when it succeeded); <see langword="null"/> if never.</summary>
    [JsonPropertyName("last_successful_poll")]
    public DateTimeOffset? LastSuccessfulPoll { get; init; }

    /// <summary>Gets what went wrong, for a failed or degraded poll; <see langword="null"/> for a clean success.</summary>
    [JsonPropertyName("diagnostics")]
    public HealthDiagnostics? Diagnostics { get; init; }
}
