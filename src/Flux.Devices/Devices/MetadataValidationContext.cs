using System.Globalization;
using System.Text.Json;

namespace Flux.Devices;

/// <summary>
/// Reads a device's metadata for a <see cref="DeviceTypeDefinition"/> and collects every rule it breaks, so that
/// the caller hears about all failing fields at once. Each <c>Require*</c> method reports a missing key; each
/// <c>Optional*</c> method accepts a missing key but checks a present one. Every method returns the value when it
/// is valid and <see langword="null"/> otherwise.
/// </summary>
public sealed class MetadataValidationContext
{
    private readonly List<DeviceValidationError> _errors = [];

    internal MetadataValidationContext(DeviceMetadata metadata) => Metadata = metadata;

    /// <summary>Gets the metadata being checked.</summary>
    public DeviceMetadata Metadata { get; }

    /// <summary>Gets the errors reported so far.</summary>
    public IReadOnlyList<DeviceValidationError> Errors => _errors;

    /// <summary>Reports a failed rule for a metadata key.</summary>
    /// <param name="key">The metadata key; the error names it as <c>metadata.&lt;key&gt;</c>.</param>
    /// <param name="message">Why the value was refused.</param>
    public void AddError(string key, string message) => _errors.Add(new DeviceValidationError { Field = $"metadata.{key}", Message = message });

    /// <summary>Requires a non-blank string.</summary>
    /// <param name="key">The metadata key.</param>
    /// <returns>The string, or <see langword="null"/> when the rule failed.</returns>
    public string? RequireString(string key) => ReadString(key, required: true);

    /// <summary>Accepts a missing key, or a non-blank string.</summary>
    /// <param name="key">The metadata key.</param>
    /// <returns>The string, or <see langword="null"/> when missing or invalid.</returns>
    public string? OptionalString(string key) => ReadString(key, required: false);

    /// <summary>Requires a number in a range: greater than <paramref name="minExclusive"/> and at most <paramref name="maxInclusive"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="minExclusive">The value must be greater than this.</param>
    /// <param name="maxInclusive">The value must not be greater than this.</param>
    /// <returns>The number, or <see langword="null"/> when the rule failed.</returns>
    public double? RequireNumber(string key, double minExclusive = double.MinValue, double maxInclusive = double.MaxValue) =>
        ReadNumber(key, required: true, minExclusive, maxInclusive);

    /// <summary>Accepts a missing key, or a number in a range.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="minExclusive">The value must be greater than this.</param>
    /// <param name="maxInclusive">The value must not be greater than this.</param>
    /// <returns>The number, or <see langword="null"/> when missing or invalid.</returns>
    public double? OptionalNumber(string key, double minExclusive = double.MinValue, double maxInclusive = double.MaxValue) =>
        ReadNumber(key, required: false, minExclusive, maxInclusive);

    /// <summary>Requires a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <returns>The number, or <see langword="null"/> when the rule failed.</returns>
    public long? RequireInteger(string key, long min, long max) => ReadInteger(key, required: true, min, max);

    /// <summary>Accepts a missing key, or a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <returns>The number, or <see langword="null"/> when missing or invalid.</returns>
    public long? OptionalInteger(string key, long min, long max) => ReadInteger(key, required: false, min, max);

    /// <summary>Requires a string from a fixed set (compared exactly).</summary>
    /// <param name="key">The metadata key.</param>
    /// <param name="allowed">The accepted values.</param>
    /// <returns>The string, or <see langword="null"/> when the rule failed.</returns>
    public string? RequireOneOf(string key, params IReadOnlyList<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (!TryGetRequired(key, required: true, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            foreach (var candidate in allowed)
            {
                if (string.Equals(candidate, text, StringComparison.Ordinal))
                {
                    return text;
                }
            }
        }

        AddError(key, $"must be one of {string.Join(", ", allowed)}, not {Show(value)}");
        return null;
    }

    private string? ReadString(string key, bool required)
    {
        if (!TryGetRequired(key, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            AddError(key, $"must be a string, not {DeviceMetadata.Describe(value.ValueKind)}");
            return null;
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            AddError(key, "must not be empty");
            return null;
        }

        return text;
    }

    private double? ReadNumber(string key, bool required, double minExclusive, double maxInclusive)
    {
        if (!TryGetRequired(key, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
        {
            AddError(key, $"must be a number, not {DeviceMetadata.Describe(value.ValueKind)}");
            return null;
        }

        if (number <= minExclusive || number > maxInclusive)
        {
            AddError(key, $"must be {DescribeRange(minExclusive, maxInclusive)}, not {value.GetRawText()}");
            return null;
        }

        return number;
    }

    private long? ReadInteger(string key, bool required, long min, long max)
    {
        if (!TryGetRequired(key, required, out var value))
        {
            return null;
        }

        // 2 and 2.0 are the same JSON number; 2.5 is not a whole number.
        if (value.ValueKind != JsonValueKind.Number
            || !value.TryGetDouble(out var number)
            || number != Math.Floor(number)
            || number < min
            || number > max)
        {
            AddError(key, $"must be a whole number from {min} to {max}, not {Show(value)}");
            return null;
        }

        return (long)number;
    }

    private bool TryGetRequired(string key, bool required, out JsonElement value)
    {
        if (!Metadata.TryGetValue(key, out value) || (!required && value.ValueKind == JsonValueKind.Null))
        {
            if (required)
            {
                AddError(key, "is required");
            }

            return false;
        }

        if (required && value.ValueKind == JsonValueKind.Null)
        {
            AddError(key, "is required and must not be null");
            return false;
        }

        return true;
    }

    private static string DescribeRange(double minExclusive, double maxInclusive) =>
        (minExclusive > double.MinValue, maxInclusive < double.MaxValue) switch
        {
            (true, true) => $"greater than {Format(minExclusive)} and at most {Format(maxInclusive)}",
            (true, false) => $"greater than {Format(minExclusive)}",
            (false, true) => $"at most {Format(maxInclusive)}",
            _ => "a number",
        };

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Show(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{value.GetString()}\"",
        JsonValueKind.Number => value.GetRawText(),
        _ => DeviceMetadata.Describe(value.ValueKind),
    };
}
