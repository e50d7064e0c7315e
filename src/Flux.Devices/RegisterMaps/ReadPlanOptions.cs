namespace Flux.Devices.RegisterMaps;

/// <summary>Limits of a <see cref="ReadPlan"/>.</summary>
public sealed record ReadPlanOptions
{
    /// <summary>Gets the most registers one read may ask for.</summary>
    /// <value>The default value is 125, the protocol's limit for functions 3 and 4.</value>
    public int MaxRegistersPerRead { get; init; } = 125;

    /// <summary>Gets the most bits one read may ask for.</summary>
    /// <value>The default value is 2000, the protocol's limit for functions 1 and 2.</value>
    public int MaxBitsPerRead { get; init; } = 2000;

    /// <summary>
    /// Gets the most unwanted addresses one read may span between two wanted points. Reading across a gap saves a
    /// request; devices that refuse reads of unmapped addresses need 0.
    /// </summary>
    /// <value>The default value is 32.</value>
    public int MaxGap { get; init; } = 32;
}
