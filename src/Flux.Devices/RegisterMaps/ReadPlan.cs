using Flux.Devices.Transport;

namespace Flux.Devices.RegisterMaps;

/// <summary>
/// The fewest reads that cover a set of points within the protocol's limits and an allowed gap: the whole
/// <c>powerpack_bess</c> map (2000..2028) is one read, not four.
/// </summary>
public sealed class ReadPlan
{
    private ReadPlan(IReadOnlyList<ReadRequest> requests, IReadOnlyDictionary<string, double>? scaling)
    {
        Requests = requests;
        Scaling = scaling;
    }

    /// <summary>Gets the reads, by table and address.</summary>
    public IReadOnlyList<ReadRequest> Requests { get; }

    /// <summary>Gets the scale factors readings use when <see cref="ReadAsync"/> is given none: the map's, for a plan of a map.</summary>
    public IReadOnlyDictionary<string, double>? Scaling { get; }

    /// <summary>Plans the reads of every point of a map, keeping its scale factors for <see cref="ReadAsync"/>.</summary>
    /// <param name="map">The map (a template's effective map is <c>DeviceConfiguration.RegisterMap</c>).</param>
    /// <param name="options">The limits; <see langword="null"/> for the defaults.</param>
    /// <returns>The plan.</returns>
    public static ReadPlan ForMap(RegisterMap map, ReadPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new ReadPlan(Plan(map.Registers, options), map.Scaling);
    }

    /// <summary>Plans the reads of a set of points.</summary>
    /// <param name="registers">The points.</param>
    /// <param name="options">The limits; <see langword="null"/> for the defaults.</param>
    /// <returns>The plan.</returns>
    /// <remarks>
    /// For each table, points are taken in address order and added to the current read while the read stays within
    /// the limit and the gap before the point is at most <see cref="ReadPlanOptions.MaxGap"/>; otherwise a new read
    /// starts. Taking points greedily in order gives the fewest reads for these two constraints.
    /// </remarks>
    public static ReadPlan Create(IEnumerable<RegisterDefinition> registers, ReadPlanOptions? options = null) => new(Plan(registers, options), null);

    private static List<ReadRequest> Plan(IEnumerable<RegisterDefinition> registers, ReadPlanOptions? options)
    {
        ArgumentNullException.ThrowIfNull(registers);
        options ??= new ReadPlanOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRegistersPerRead, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxRegistersPerRead, 125, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBitsPerRead, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxBitsPerRead, 2000, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxGap, nameof(options));
        var requests = new List<ReadRequest>();
        foreach (var table in registers.GroupBy(r => r.Kind).OrderBy(g => g.Key))
        {
            var max = table.Key is RegisterKind.Coil or RegisterKind.DiscreteInput ? options.MaxBitsPerRead : options.MaxRegistersPerRead;
            var current = new List<RegisterDefinition>();
            int start = 0, end = 0;
            foreach (var register in table.OrderBy(r => r.Address))
            {
                if (register.Count > max)
                {
                    throw new ArgumentException($"Point '{register.Name}' takes {register.Count} registers; one read takes at most {max}.", nameof(registers));
                }

                var newEnd = Math.Max(end, register.End);
                if (current.Count > 0 && (newEnd - start > max || register.Address - end > options.MaxGap))
                {
                    requests.Add(new ReadRequest { Kind = table.Key, Start = (ushort)start, Count = end - start, Registers = current });
                    current = [];
                }

                if (current.Count == 0)
                {
                    start = register.Address;
                    newEnd = register.End;
                }

                current.Add(register);
                end = newEnd;
            }

            if (current.Count > 0)
            {
                requests.Add(new ReadRequest { Kind = table.Key, Start = (ushort)start, Count = end - start, Registers = current });
            }
        }

        return requests;
    }

    /// <summary>Reads every point of the plan from a device and decodes it.</summary>
    /// <param name="transport">The transport.</param>
    /// <param name="endpoint">The device.</param>
    /// <param name="unitId">The unit id.</param>
    /// <param name="scaling">The scale factors named by the points; <see langword="null"/> for <see cref="Scaling"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>One reading per point, in plan order.</returns>
    public async ValueTask<IReadOnlyList<RegisterReading>> ReadAsync(
        IModbusTransport transport,
        ModbusEndpoint endpoint,
        byte unitId,
        IReadOnlyDictionary<string, double>? scaling = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        scaling ??= Scaling;
        var readings = new List<RegisterReading>();
        foreach (var request in Requests)
        {
            if (request.Kind is RegisterKind.Coil or RegisterKind.DiscreteInput)
            {
                var bits = new bool[request.Count];
                if (request.Kind == RegisterKind.Coil)
                {
                    await transport.ReadCoilsAsync(endpoint, unitId, request.Start, bits, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await transport.ReadDiscreteInputsAsync(endpoint, unitId, request.Start, bits, cancellationToken).ConfigureAwait(false);
                }

                readings.AddRange(request.Registers.Select(r => RegisterDecoder.DecodeBit(r, bits[r.Address - request.Start])));
                continue;
            }

            var words = new ushort[request.Count];
            if (request.Kind == RegisterKind.Holding)
            {
                await transport.ReadHoldingRegistersAsync(endpoint, unitId, request.Start, words, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await transport.ReadInputRegistersAsync(endpoint, unitId, request.Start, words, cancellationToken).ConfigureAwait(false);
            }

            Decode(request, words, scaling, readings);
        }

        return readings;
    }

    /// <summary>Decodes the registers one read returned into readings of its points.</summary>
    /// <param name="request">The read.</param>
    /// <param name="words">The registers it returned, from <see cref="ReadRequest.Start"/>.</param>
    /// <param name="scaling">The scale factors named by the points.</param>
    /// <param name="readings">Where the readings are added.</param>
    public static void Decode(ReadRequest request, ReadOnlySpan<ushort> words, IReadOnlyDictionary<string, double>? scaling, ICollection<RegisterReading> readings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(readings);
        foreach (var register in request.Registers)
        {
            readings.Add(RegisterDecoder.Decode(register, words.Slice(register.Address - request.Start, register.Count), scaling));
        }
    }
}
