namespace Flux.Devices.Modbus.Server;

/// <summary>The mapped ranges of one table: sorted, non-adjacent blocks of values. A read or write must fall in one block.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed class RegisterBank<T>
{
    private readonly List<(int Start, T[] Values)> _blocks = [];

    public void Map(int start, int count)
    {
        var end = start + count;
        var merged = new List<(int Start, T[] Values)>();
        var newStart = start;
        var newEnd = end;
        foreach (var block in _blocks)
        {
            var blockEnd = block.Start + block.Values.Length;
            if (blockEnd < start || block.Start > end)
            {
                continue; // neither overlapping nor adjacent
            }

            merged.Add(block);
            newStart = Math.Min(newStart, block.Start);
            newEnd = Math.Max(newEnd, blockEnd);
        }

        if (merged.Count == 1 && merged[0].Start == newStart && merged[0].Values.Length == newEnd - newStart)
        {
            return; // already mapped
        }

        var values = new T[newEnd - newStart];
        foreach (var block in merged)
        {
            block.Values.CopyTo(values, block.Start - newStart);
            _blocks.Remove(block);
        }

        _blocks.Add((newStart, values));
        _blocks.Sort(static (a, b) => a.Start.CompareTo(b.Start));
    }

    public bool IsMapped(int start, int count) => Find(start, count) is not null;

    public bool TryRead(int start, Span<T> destination)
    {
        if (Find(start, destination.Length) is not { } block)
        {
            return false;
        }

        block.Values.AsSpan(start - block.Start, destination.Length).CopyTo(destination);
        return true;
    }

    public bool TryWrite(int start, ReadOnlySpan<T> values)
    {
        if (Find(start, values.Length) is not { } block)
        {
            return false;
        }

        values.CopyTo(block.Values.AsSpan(start - block.Start));
        return true;
    }

    private (int Start, T[] Values)? Find(int start, int count)
    {
        foreach (var block in _blocks)
        {
            if (start >= block.Start && start + count <= block.Start + block.Values.Length)
            {
                return block;
            }
        }

        return null;
    }
}
