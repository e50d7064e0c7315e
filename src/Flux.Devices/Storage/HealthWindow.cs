using Flux.Devices.Health;

namespace Flux.Devices.Storage;

/// <summary>
/// A device's newest health samples, ordered by timestamp, at most a fixed number of them: a ring buffer where
/// appending in time order (the usual case) costs O(1), and a late sample is inserted in its place.
/// </summary>
/// <remarks>Not thread-safe: the in-memory store calls it under its lock.</remarks>
internal sealed class HealthWindow(int capacity)
{
    private DeviceHealthSample[] _ring = new DeviceHealthSample[Math.Min(capacity, 16)];
    private int _start;

    public int Count { get; private set; }

    public DeviceHealthSample? Latest => Count == 0 ? null : At(Count - 1);

    public bool Contains(DateTimeOffset timestamp)
    {
        var index = LowerBound(timestamp);
        return index < Count && At(index).Timestamp == timestamp;
    }

    /// <summary>Adds a sample whose timestamp is not in the window yet; the oldest sample leaves a full window.</summary>
    public void Add(DeviceHealthSample sample)
    {
        var position = LowerBound(sample.Timestamp);
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

        _ring[Slot(position)] = sample;
        Count++;
    }

    /// <summary>Copies the samples with from &lt;= timestamp &lt; to, oldest first.</summary>
    public List<DeviceHealthSample> Range(DateTimeOffset from, DateTimeOffset to)
    {
        var result = new List<DeviceHealthSample>();
        for (var i = LowerBound(from); i < Count && At(i).Timestamp < to; i++)
        {
            result.Add(At(i));
        }

        return result;
    }

    private DeviceHealthSample At(int index) => _ring[Slot(index)];

    private int Slot(int index) => (_start + index) % _ring.Length;

    /// <summary>The first position whose timestamp is at or after <paramref name="timestamp"/>.</summary>
    private int LowerBound(DateTimeOffset timestamp)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (At(middle).Timestamp < timestamp)
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
        var larger = new DeviceHealthSample[Math.Min(capacity, _ring.Length * 2)];
        for (var i = 0; i < Count; i++)
        {
            larger[i] = At(i);
        }

        _ring = larger;
        _start = 0;
    }
}
