using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Templates;

/// <summary>
/// One point of a template's map and the values it holds on the template's devices: the template's <c>identify</c>
/// block, which discovery reads to recognise a device that has no SunSpec model and no identification objects.
/// </summary>
/// <example>
/// <code>
/// device_template:
///   type: bess
///   manufacturer: PowerPack
///   identify:
///     available_blocks: 10        # a decoded, scaled value
///     model_name: [PP-500, PP-1000] # any of these (a string point)
/// </code>
/// </example>
public sealed record TemplateFingerprint
{
    /// <summary>Gets the point, from the template's effective register map (holding or input registers only).</summary>
    public required RegisterDefinition Register { get; init; }

    /// <summary>Gets the accepted values of a numeric point, after scaling.</summary>
    public IReadOnlyList<double> Numbers { get; init; } = [];

    /// <summary>Gets the accepted values of a string point, compared exactly after trimming.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    /// <summary>Tells whether a reading of the point is one of the accepted values.</summary>
    internal bool Matches(RegisterReading reading) => reading.Text is { } text
        ? Texts.Contains(text.Trim(), StringComparer.Ordinal)
        : reading.Value is { } value && Numbers.Any(n => Math.Abs(n - value) <= 1e-9 * Math.Max(1, Math.Abs(n)));
}
