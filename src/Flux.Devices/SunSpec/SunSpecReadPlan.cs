using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Transport;

namespace Flux.Devices.SunSpec;

/// <summary>A point's decoded value: a scaled number, a text, or neither (not implemented, or not scalable).</summary>
/// <param name="Number">The scaled number.</param>
/// <param name="Text">The text of a string or address point.</param>
internal readonly record struct SunSpecValue(double? Number, string? Text)
{
    /// <summary>Gets a value indicating whether the device reported a value.</summary>
    public bool IsAvailable => Number is not null || Text is not null;
}

/// <summary>One read of a <see cref="SunSpecReadPlan"/> (function 3), and where its registers go in the plan's buffer.</summary>
/// <param name="Start">The first address.</param>
/// <param name="Count">How many registers.</param>
/// <param name="BufferOffset">Where its registers start in the buffer.</param>
internal readonly record struct SunSpecRead(ushort Start, int Count, int BufferOffset);

/// <summary>
/// The reads that cover a set of points of a <see cref="SunSpecRegisterMap"/> and the scale factors they need, in the
/// fewest requests: points in address order, a read extended while it stays within 125 registers and the gap before the
/// next point is at most <see cref="ReadPlanOptions.MaxGap"/>. Decoding a poll applies each point's scale factor from
/// the value read in the same poll.
/// </summary>
internal sealed class SunSpecReadPlan
{
    private static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    private readonly SunSpecMapPoint[] _slots;
    private readonly int[] _offsets;
    private readonly int[] _scaleSlots;
    private readonly int[] _reported;

    private SunSpecReadPlan(SunSpecRegisterMap map, SunSpecMapPoint[] points, int[] offsets, int[] scaleSlots, int[] reported, SunSpecRead[] reads, int bufferLength)
    {
        Map = map;
        _slots = points;
        _offsets = offsets;
        _scaleSlots = scaleSlots;
        _reported = reported;
        Reads = reads;
        BufferLength = bufferLength;
    }

    /// <summary>Gets the map planned over.</summary>
    public SunSpecRegisterMap Map { get; }

    /// <summary>Gets the reads.</summary>
    public IReadOnlyList<SunSpecRead> Reads { get; }

    /// <summary>Gets the registers all reads fill, one after another.</summary>
    public int BufferLength { get; }

    /// <summary>Gets every point read, by address: those asked for and the scale factors they need.</summary>
    public IReadOnlyList<SunSpecMapPoint> Slots => _slots;

    /// <summary>Gets how many points a poll reports (those asked for, in the order asked for).</summary>
    public int ReportedCount => _reported.Length;

    /// <summary>Plans the reads of some points of a map, or of all of them.</summary>
    /// <param name="map">The map.</param>
    /// <param name="points">The names of the points to report; <see langword="null"/> for every point of the map.</param>
    /// <param name="options">The limits (at most 125 registers a read; the gap); <see langword="null"/> for the defaults.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">A point is not in the map (the message names it), or the limits are out of range.</exception>
    public static SunSpecReadPlan Create(SunSpecRegisterMap map, IEnumerable<string>? points = null, ReadPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        options ??= new ReadPlanOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRegistersPerRead, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxRegistersPerRead, 125, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxGap, nameof(options));

        // The points reported, in the order asked for (a template's order; the map's, which is by address, for all);
        // the reads are planned by address whatever the order.
        var wanted = new SortedSet<int>();
        var order = new List<int>();
        if (points is null)
        {
            wanted.UnionWith(Enumerable.Range(0, map.Points.Count));
            order.AddRange(wanted);
        }
        else
        {
            foreach (var name in points)
            {
                var index = map.TryFind(name, out var found)
                    ? found
                    : throw new ArgumentException($"Point '{name}' is not in this device's SunSpec map (models {string.Join(", ", map.Chain.Models.Select(m => m.Id))}).", nameof(points));
                if (wanted.Add(index))
                {
                    order.Add(index);
                }
            }
        }

        var read = new SortedSet<int>(wanted);
        foreach (var index in wanted)
        {
            if (map.Points[index].ScaleFactorIndex >= 0)
            {
                read.Add(map.Points[index].ScaleFactorIndex);
            }
        }

        // Map indexes are in address order (the map is laid out along the chain), so slots are too.
        var slots = read.ToArray();
        var slotOf = new Dictionary<int, int>(slots.Length);
        for (var i = 0; i < slots.Length; i++)
        {
            slotOf[slots[i]] = i;
        }

        var offsets = new int[slots.Length];
        var reads = new List<SunSpecRead>();
        int start = 0, end = 0, bufferOffset = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            var point = map.Points[slots[i]];
            if (point.Size > options.MaxRegistersPerRead)
            {
                throw new ArgumentException($"Point '{point.Name}' takes {point.Size} registers; one read takes at most {options.MaxRegistersPerRead}.", nameof(options));
            }

            if (i == 0 || point.End - start > options.MaxRegistersPerRead || point.Address - end > options.MaxGap)
            {
                if (i > 0)
                {
                    reads.Add(new SunSpecRead((ushort)start, end - start, bufferOffset));
                    bufferOffset += end - start;
                }

                start = point.Address;
                end = point.End;
            }

            end = Math.Max(end, point.End);
            offsets[i] = bufferOffset + (point.Address - start);
        }

        if (slots.Length > 0)
        {
            reads.Add(new SunSpecRead((ushort)start, end - start, bufferOffset));
            bufferOffset += end - start;
        }

        var scaleSlots = new int[slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            var sf = map.Points[slots[i]].ScaleFactorIndex;
            scaleSlots[i] = sf >= 0 ? slotOf[sf] : sf;
        }

        var reported = order.Select(index => slotOf[index]).ToArray();
        return new SunSpecReadPlan(map, [.. slots.Select(i => map.Points[i])], offsets, scaleSlots, reported, [.. reads], bufferOffset);
    }

    /// <summary>Reads the plan's registers from a device and decodes them.</summary>
    /// <param name="transport">The transport.</param>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>One reading per point asked for, in the order asked for (by address for all).</returns>
    public async ValueTask<IReadOnlyList<RegisterReading>> ReadAsync(IModbusTransport transport, ModbusEndpoint endpoint, byte unitId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var buffer = new ushort[BufferLength];
        foreach (var read in Reads)
        {
            await transport.ReadHoldingRegistersAsync(endpoint, unitId, read.Start, buffer.AsMemory(read.BufferOffset, read.Count), cancellationToken).ConfigureAwait(false);
        }

        var values = new SunSpecValue[Slots.Count];
        Decode(buffer, values);
        return ToReadings(values);
    }

    /// <summary>
    /// Decodes a poll: every point read (<see cref="Slots"/>), then each scaled by its scale factor as read in the same
    /// poll. A not-implemented value, or one whose scale factor is not implemented, has no value. Allocates nothing but
    /// the texts of string and address points.
    /// </summary>
    /// <param name="buffer">The registers of the plan's reads, one after another (<see cref="BufferLength"/>).</param>
    /// <param name="values">Where the values go, one per slot.</param>
    public void Decode(ReadOnlySpan<ushort> buffer, Span<SunSpecValue> values)
    {
        var slots = _slots;
        if (buffer.Length < BufferLength || values.Length < slots.Length)
        {
            throw new ArgumentException($"A poll of this plan takes {BufferLength} registers and {slots.Length} values; {buffer.Length} and {values.Length} were given.", nameof(buffer));
        }

        for (var i = 0; i < slots.Length; i++)
        {
            var point = slots[i].Definition;
            values[i] = DecodeRaw(point, buffer.Slice(_offsets[i], point.Size));
        }

        for (var i = 0; i < slots.Length; i++)
        {
            if (values[i].Number is not { } raw)
            {
                continue;
            }

            var slot = _scaleSlots[i];
            if (slot == -2 || (slot >= 0 && values[slot].Number is null))
            {
                values[i] = default; // Named scale factor missing or not implemented: the value cannot be known.
            }
            else if (slot >= 0)
            {
                values[i] = new SunSpecValue(Scale(raw, (int)values[slot].Number!.Value), null);
            }
            else if (slots[i].Definition.ScaleFactorValue is { } exponent)
            {
                values[i] = new SunSpecValue(Scale(raw, exponent), null);
            }
        }
    }

    /// <summary>Turns decoded values into readings of the points asked for, with their units.</summary>
    /// <param name="values">The values <see cref="Decode"/> wrote.</param>
    /// <returns>The readings, in the order the points were asked for (by address for all).</returns>
    public IReadOnlyList<RegisterReading> ToReadings(ReadOnlySpan<SunSpecValue> values)
    {
        var readings = new RegisterReading[_reported.Length];
        for (var i = 0; i < _reported.Length; i++)
        {
            var slot = _reported[i];
            var point = Slots[slot];
            readings[i] = new RegisterReading { Name = point.Name, Value = values[slot].Number, Text = values[slot].Text, Unit = point.Definition.Units };
        }

        return readings;
    }

    /// <summary>Gets the slot (index into <see cref="Slots"/> and the values) of a reported point.</summary>
    /// <param name="reported">The reported point's index, 0 to <see cref="ReportedCount"/> - 1.</param>
    /// <returns>The slot.</returns>
    public int ReportedSlot(int reported) => _reported[reported];

    /// <summary>A value times 10^exponent; a negative exponent divides, so that 4873 and -2 give 48.73 exactly rounded.</summary>
    internal static double Scale(double raw, int exponent) => exponent switch
    {
        0 => raw,
        > 0 and < 23 => raw * PowersOfTen[exponent],
        < 0 and > -23 => raw / PowersOfTen[-exponent],
        _ => raw * Math.Pow(10, exponent),
    };

    /// <summary>Two registers as one big-endian number (SunSpec's only order).</summary>
    private static uint Word32(ReadOnlySpan<ushort> words) => ((uint)words[0] << 16) | words[1];

    /// <summary>An EUI-48 as <c>00:11:22:33:44:55</c> (a method of its own: a lambda capturing a local of the switch would allocate on every call).</summary>
    private static string MacText(ulong eui) =>
        string.Join(':', Enumerable.Range(0, 6).Select(i => ((eui >> (40 - (8 * i))) & 0xFF).ToString("X2", CultureInfo.InvariantCulture)));

    /// <summary>A point's value before scaling, or nothing when the device says it is not implemented.</summary>
    internal static SunSpecValue DecodeRaw(SunSpecPointDefinition point, ReadOnlySpan<ushort> words)
    {
        switch (point.Type)
        {
            case SunSpecPointType.Int16 or SunSpecPointType.Sunssf:
                return words[0] == 0x8000 ? default : new((short)words[0], null);
            case SunSpecPointType.UInt16 or SunSpecPointType.Count or SunSpecPointType.Enum16 or SunSpecPointType.Bitfield16:
                return words[0] == 0xFFFF ? default : new(words[0], null);
            case SunSpecPointType.Acc16:
                return words[0] == 0 ? default : new(words[0], null);
            case SunSpecPointType.Int32:
                var int32 = Word32(words);
                return int32 == 0x80000000 ? default : new((int)int32, null);
            case SunSpecPointType.UInt32 or SunSpecPointType.Enum32 or SunSpecPointType.Bitfield32:
                var uint32 = Word32(words);
                return uint32 == 0xFFFFFFFF ? default : new(uint32, null);
            case SunSpecPointType.Acc32:
                var acc32 = Word32(words);
                return acc32 == 0 ? default : new(acc32, null);
            case SunSpecPointType.Int64:
                var int64 = RegisterCodec.ReadUInt64(words);
                return int64 == 0x8000000000000000 ? default : new((long)int64, null);
            case SunSpecPointType.UInt64 or SunSpecPointType.Bitfield64:
                var uint64 = RegisterCodec.ReadUInt64(words);
                return uint64 == ulong.MaxValue ? default : new(uint64, null);
            case SunSpecPointType.Acc64:
                var acc64 = RegisterCodec.ReadUInt64(words);
                return acc64 == 0 ? default : new(acc64, null);
            case SunSpecPointType.Float32:
                var single = BitConverter.UInt32BitsToSingle(Word32(words));
                return float.IsFinite(single) ? new(single, null) : default;
            case SunSpecPointType.Float64:
                var number = RegisterCodec.ReadDouble(words);
                return double.IsFinite(number) ? new(number, null) : default;
            case SunSpecPointType.String:
                var text = RegisterCodec.ReadString(words);
                return text.Length == 0 ? default : new(null, text);
            case SunSpecPointType.IpAddr:
                var ip = Word32(words);
                return ip == 0 ? default : new(null, string.Create(CultureInfo.InvariantCulture, $"{ip >> 24}.{(ip >> 16) & 0xFF}.{(ip >> 8) & 0xFF}.{ip & 0xFF}"));
            case SunSpecPointType.Ipv6Addr:
                Span<byte> v6 = stackalloc byte[16];
                for (var i = 0; i < 8; i++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(v6[(2 * i)..], words[i]);
                }

                return v6.IndexOfAnyExcept((byte)0) < 0 ? default : new(null, new IPAddress(v6).ToString());
            case SunSpecPointType.Eui48:
                var eui = RegisterCodec.ReadUInt64(words) & 0xFFFF_FFFF_FFFF;
                return eui is 0 or 0xFFFF_FFFF_FFFF ? default : new(null, MacText(eui));
            default:
                return default; // Pad: not a value.
        }
    }
}
