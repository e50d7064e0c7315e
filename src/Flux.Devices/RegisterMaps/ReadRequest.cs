namespace Flux.Devices.RegisterMaps;

/// <summary>One read of a <see cref="ReadPlan"/>: a range of one table and the points it covers.</summary>
/// <param name="Kind">The table.</param>
/// <param name="Start">The first address read.</param>
/// <param name="Count">How many registers (or bits) are read.</param>
/// <param name="Registers">The points the range covers, by address.</param>
public sealed record ReadRequest(RegisterKind Kind, ushort Start, int Count, IReadOnlyList<RegisterDefinition> Registers)
{
    /// <summary>Returns the request as <c>holding 2000..2028 (29): status, target_power, soe, available_blocks</c>.</summary>
    /// <returns>The request as text.</returns>
    public override string ToString() =>
        $"{Kind.ToString().ToLowerInvariant()} {Start}..{Start + Count - 1} ({Count}): {string.Join(", ", Registers.Select(r => r.Name))}";
}
