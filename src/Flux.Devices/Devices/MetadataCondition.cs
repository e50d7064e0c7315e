using System.Globalization;
using System.Text.Json;

namespace Flux.Devices;

/// <summary>A condition on one metadata value: the value at <see cref="Path"/> equals one of <see cref="Values"/>.</summary>
public sealed class MetadataCondition
{
    private readonly decimal?[] _numbers;

    /// <summary>Initializes a new instance of the <see cref="MetadataCondition"/> class.</summary>
    /// <param name="path">The keys from the metadata root down (<c>["maintenance", "reason"]</c>); at least one.</param>
    /// <param name="values">The accepted values, as text; at least one.</param>
    public MetadataCondition(IReadOnlyList<string> path, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfZero(path.Count, nameof(path));
        ArgumentOutOfRangeException.ThrowIfZero(values.Count, nameof(values));
        if (path.Any(string.IsNullOrEmpty) || values.Any(v => v is null))
        {
            throw new ArgumentException("Path keys must not be null or empty, and values must not be null.", nameof(path));
        }

        Path = Array.AsReadOnly(path.ToArray());
        Values = Array.AsReadOnly(values.ToArray());
        _numbers = [.. values.Select(v => decimal.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : (decimal?)null)];
    }

    /// <summary>Gets the keys from the metadata root down.</summary>
    public IReadOnlyList<string> Path { get; }

    /// <summary>Gets the accepted values, as text.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>Tells whether metadata satisfies the condition (see <see cref="DeviceFilter"/> for the rules).</summary>
    /// <param name="metadata">The metadata.</param>
    /// <returns><see langword="true"/> when the value at the path equals one of the values.</returns>
    public bool Matches(DeviceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetPath(Path, out var element))
        {
            return false;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                for (var i = 0; i < Values.Count; i++)
                {
                    if (element.ValueEquals(Values[i]))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Number:
                if (!element.TryGetDecimal(out var actual))
                {
                    return false;
                }

                foreach (var wanted in _numbers)
                {
                    if (wanted == actual)
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.True or JsonValueKind.False:
                var text = element.ValueKind == JsonValueKind.True ? "true" : "false";
                for (var i = 0; i < Values.Count; i++)
                {
                    if (string.Equals(Values[i], text, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }
}
