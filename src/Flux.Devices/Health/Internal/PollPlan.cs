using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Health.Internal;

/// <summary>One read of a poll: a table, its first address and how many registers (or bits).</summary>
/// <param name="Kind">The table.</param>
/// <param name="Start">The first address.</param>
/// <param name="Count">How many registers or bits.</param>
internal readonly record struct PollRead(RegisterKind Kind, ushort Start, int Count);

/// <summary>
/// What a poll of a device reads and how its values become telemetry points: the seam between the poller (which makes
/// the <see cref="Reads"/> into a <see cref="PollReadings"/>) and telemetry (which decodes them with a
/// <see cref="PollDecoder"/>). A register map's plan is a <see cref="RegisterPollPlan"/>; a SunSpec device's, planned
/// from its own model chain, a <see cref="SunSpec.SunSpecPollPlan"/>.
/// </summary>
internal abstract class PollPlan
{
    /// <summary>Gets the reads of one poll, in the order they are made.</summary>
    public abstract IReadOnlyList<PollRead> Reads { get; }

    /// <summary>Lays out a decoder of this plan's polls (made once per telemetry frame, reused by every poll).</summary>
    /// <param name="ctRatio">The device's current transformer ratio (1 without one).</param>
    /// <param name="vtRatio">The device's voltage transformer ratio (1 without one).</param>
    /// <returns>The decoder.</returns>
    public abstract PollDecoder CreateDecoder(double ctRatio, double vtRatio);
}

/// <summary>Decodes the polls of one <see cref="PollPlan"/> into telemetry points; used by one writer at a time.</summary>
internal abstract class PollDecoder
{
    /// <summary>Gets how many points a poll decodes.</summary>
    public abstract int Count { get; }

    /// <summary>Gets a point's name.</summary>
    /// <param name="point">The point, 0 to <see cref="Count"/> - 1.</param>
    /// <returns>Its name.</returns>
    public abstract string Name(int point);

    /// <summary>Gets a point's unit, when it has one.</summary>
    /// <param name="point">The point, 0 to <see cref="Count"/> - 1.</param>
    /// <returns>Its unit.</returns>
    public abstract string? Unit(int point);

    /// <summary>
    /// Decodes a poll's values: per point, a number (in <paramref name="values"/>) or a text (in <paramref name="texts"/>,
    /// null for a number) and whether the device reported it. Allocates nothing but the texts of text points.
    /// </summary>
    /// <param name="readings">The values read (of the decoder's plan).</param>
    /// <param name="values">The numbers, <see cref="Count"/> of them.</param>
    /// <param name="texts">The texts, <see cref="Count"/> of them.</param>
    /// <param name="available">Whether each point has a value.</param>
    public abstract void Decode(PollReadings readings, Span<double> values, Span<string?> texts, Span<bool> available);
}

/// <summary>The plan of a device read with a register map (<see cref="ReadPlan"/>): its points scaled by the map's factors and the device's ratios.</summary>
internal sealed class RegisterPollPlan : PollPlan
{
    private readonly PollRead[] _reads;

    public RegisterPollPlan(ReadPlan plan)
    {
        Plan = plan;
        _reads = [.. plan.Requests.Select(r => new PollRead(r.Kind, r.Start, r.Count))];
    }

    /// <summary>Gets the register map's plan.</summary>
    public ReadPlan Plan { get; }

    public override IReadOnlyList<PollRead> Reads => _reads;

    public override PollDecoder CreateDecoder(double ctRatio, double vtRatio) => new Decoder(Plan, ctRatio, vtRatio);

    private sealed class Decoder : PollDecoder
    {
        private readonly Point[] _points;

        public Decoder(ReadPlan plan, double ctRatio, double vtRatio)
        {
            var points = new List<Point>();
            for (var request = 0; request < plan.Requests.Count; request++)
            {
                var read = plan.Requests[request];
                foreach (var register in read.Registers)
                {
                    var factor = register.IsBit || register.DataType == RegisterDataType.String ? 1 : RegisterDecoder.ScaleOf(register, plan.Scaling) * register.Secondary switch
                    {
                        SecondarySide.Current => ctRatio,
                        SecondarySide.Voltage => vtRatio,
                        SecondarySide.Power => ctRatio * vtRatio,
                        _ => 1,
                    };
                    points.Add(new Point(register, request, register.Address - read.Start, factor));
                }
            }

            _points = [.. points];
        }

        public override int Count => _points.Length;

        public override string Name(int point) => _points[point].Register.Name;

        public override string? Unit(int point) => _points[point].Register.Unit;

        public override void Decode(PollReadings readings, Span<double> values, Span<string?> texts, Span<bool> available)
        {
            for (var i = 0; i < _points.Length; i++)
            {
                ref readonly var point = ref _points[i];
                var register = point.Register;
                if (register.IsBit)
                {
                    values[i] = readings.Bits(point.Request).Span[point.Offset] ? 1 : 0;
                    available[i] = true;
                    continue;
                }

                var words = readings.Registers(point.Request).Span.Slice(point.Offset, register.Count);
                if (register.DataType == RegisterDataType.String)
                {
                    var text = RegisterCodec.ReadString(words, register.Order);
                    texts[i] = text.Length == 0 ? null : text;
                    available[i] = text.Length > 0;
                    values[i] = 0;
                    continue;
                }

                available[i] = RegisterDecoder.TryDecodeNumber(register, words, point.Factor, out values[i]);
            }
        }

        /// <summary>A point of the plan: which read holds it, where, and the factor its raw value is multiplied by.</summary>
        private readonly record struct Point(RegisterDefinition Register, int Request, int Offset, double Factor);
    }
}
