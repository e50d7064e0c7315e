namespace Flux.Devices.Storage;

/// <summary>
/// A device's newest rows of a time series (health samples, telemetry readings), ordered, at most a fixed number of
/// them: a ring buffer where appending in order (the usual case) costs O(1), and a late row is inserted in its place.
/// </summary>
/// <typeparam name="T">The row.</typeparam>
/// <param name="capacity">How many rows to keep; the oldest leave a full window.</param>
/// <param name="order">The rows' order: by timestamp first, then whatever else makes a row's key.</param>
/// <param name="time">A row's timestamp.</param>
/// <remarks>Not thread-safe: the in-memory store calls it under its lock.</remarks>
internal sealed class TimeWindow<T>(int capacity, Comparison<T> order, Func<T, DateTimeOffset> time)
    where T : class
{
    private T[] _ring = new T[Math.Min(capacity, 16)];
    private int _start;

    public int Count { get; private set; }

    public T? Latest => Count == 0 ? null : At(Count - 1);

    /// <summary>Tells whether a row with the same key (order 0) is in the window.</summary>
    public bool Contains(T probe)
    {
        var index = LowerBound(row => order(row, probe) < 0);
        return index < Count && order(At(index), probe) == 0;
    }

    /// <summary>Adds a row whose key is not in the window yet; the oldest row leaves a full window.</summary>
    public void Add(T row)
    {
        var position = LowerBound(r => order(r, row) < 0);
        if (Count == capacity)
        {
            if (position == 0)
            {
                return; // Older than everything a full window keeps.
            }

            _start = (_start + 1) % _ring.Length;
            Count--;
            position--;
        }
        else if (Count == _ring.Length)
        {
            Grow();
        }

        for (var i = Count; i > position; i--)
        {
            _ring[Slot(i)] = At(i - 1);
        }

        _ring[Slot(position)] = row;
        Count++;
    }

    /// <summary>Copies the rows with from &lt;= timestamp &lt; to that pass the filter, in order.</summary>
    public List<T> Range(DateTimeOffset from, DateTimeOffset to, Func<T, bool>? filter = null)
    {
        var result = new List<T>();
        for (var i = LowerBound(r => time(r) < from); i < Count && time(At(i)) < to; i++)
        {
            if (filter is null || filter(At(i)))
            {
                result.Add(At(i));
            }
        }

        return result;
    }

    /// <summary>Removes up to <paramref name="limit"/> of the oldest rows with a timestamp before <paramref name="cutoff"/>.</summary>
    /// <returns>How many were removed.</returns>
    public int RemoveBefore(DateTimeOffset cutoff, int limit)
    {
        var removed = Math.Min(LowerBound(r => time(r) < cutoff), limit);
        for (var i = 0; i < removed; i++)
        {
            _ring[Slot(i)] = null!;
        }

        _start = Count == removed ? 0 : (_start + removed) % _ring.Length;
        Count -= removed;
        return removed;
    }

    private T At(int index) => _ring[Slot(index)];

    private int Slot(int index) => (_start + index) % _ring.Length;

    /// <summary>The first position whose row is not before (rows before it form a prefix of the order).</summary>
    private int LowerBound(Func<T, bool> isBefore)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (isBefore(At(middle)))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Grow()
    {
        var larger = new T[Math.Min(capacity, _ring.Length * 2)];
        for (var i = 0; i < Count; i++)
        {
            larger[i] = At(i);
        }

        _ring = larger;
        _start = 0;
    }
}
