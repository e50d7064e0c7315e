using System.ComponentModel.DataAnnotations;

namespace Flux.Devices.Storage;

/// <summary>
/// How long the stores keep health samples and telemetry, and how the expired rows are deleted: in batches of
/// <see cref="BatchSize"/> rows, each its own short transaction, so that deleting a backlog never holds a long lock.
/// Set with <c>AddRetention(options => ...)</c>; <see cref="IDataRetention"/> (and <c>flux retention run</c>) use them.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>The default window of both series: 30 days.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(30);

    /// <summary>Gets or sets how long health samples are kept; <see langword="null"/> keeps them for ever.</summary>
    /// <value>The default value is 30 days. It must be from 1 minute to 36,500 days.</value>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan? HealthSamples { get; set; } = DefaultWindow;

    /// <summary>Gets or sets how long telemetry readings are kept; <see langword="null"/> keeps them for ever.</summary>
    /// <value>The default value is 30 days. It must be from 1 minute to 36,500 days.</value>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan? Telemetry { get; set; } = DefaultWindow;

    /// <summary>Gets or sets the most rows one delete removes (one transaction).</summary>
    /// <value>The default value is 10,000. It must be from 1 to 1,000,000.</value>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 10_000;

    /// <summary>Gets or sets how often the hosted service (<c>AddRetention</c>) deletes expired rows; it also does at start.</summary>
    /// <value>The default value is 1 hour. It must be from 1 second to 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
