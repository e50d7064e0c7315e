namespace Flux.Devices.RegisterMaps;

/// <summary>One read of a <see cref="ReadPlan"/>: a range of one table and the points it covers.</summary>
public sealed record ReadRequest
{
    /// <summary>Gets the table.</summary>
    public required RegisterKind Kind { get; init; }

    /// <summary>Gets the first address read.</summary>
    public required ushort Start { get; init; }

    /// <summary>Gets how many registers (or bits) are read.</summary>
    public required int Count { get; init; }

    /// <summary>Gets the points the range covers, by address.</summary>
    public required IReadOnlyList<RegisterDefinition> Registers { get; init; }

    /// <summary>Returns the request as <c>holding 2000..2028 (29): status, target_power, soe, available_blocks</c>.</summary>
    /// <returns>The request as text.</returns>
    public override string ToString() =>
        $"{Kind.ToString().ToLowerInvariant()} {Start}..{Start + Count - 1} ({Count}): {string.Join(", ", Registers.Select(r => r.Name))}";
}
