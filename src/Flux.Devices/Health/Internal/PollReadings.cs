using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// The values a poll read from a device, read by read of its <see cref="PollPlan"/>: registers for holding and
/// input reads, bits for coil and discrete input reads. This is where telemetry decoding takes the values from.
/// </summary>
/// <remarks>
/// One per <see cref="PollTarget"/>, reused by each of its polls (a target is polled by one poll at a time), so that a
/// poll allocates nothing: the values are those of the device's latest poll, until its next one begins.
/// </remarks>
internal sealed class PollReadings
{
    private readonly ushort[] _registers;
    private readonly bool[] _bits;
    private readonly int[] _offsets;

    public PollReadings(PollPlan plan)
    {
        Plan = plan;
        _offsets = new int[plan.Reads.Count];
        int registers = 0, bits = 0;
        for (var i = 0; i < plan.Reads.Count; i++)
        {
            var request = plan.Reads[i];
            ref var end = ref IsBits(request.Kind) ? ref bits : ref registers;
            _offsets[i] = end;
            end += request.Count;
        }

        _registers = new ushort[registers];
        _bits = new bool[bits];
    }

    /// <summary>The plan whose reads these are.</summary>
    public PollPlan Plan { get; }

    /// <summary>Tells a read of bits (coils, discrete inputs) from a read of registers (holding, input).</summary>
    public static bool IsBits(RegisterKind kind) => kind is RegisterKind.Coil or RegisterKind.DiscreteInput;

    /// <summary>The registers of request <paramref name="request"/> of the plan (a holding or input read), from its start address.</summary>
    public Memory<ushort> Registers(int request) => _registers.AsMemory(_offsets[request], Plan.Reads[request].Count);

    /// <summary>Every register read, read after read (holding and input reads in the plan's order, bit reads left out).</summary>
    public ReadOnlySpan<ushort> AllRegisters => _registers;

    /// <summary>The bits of request <paramref name="request"/> of the plan (a coil or discrete input read), from its start address.</summary>
    public Memory<bool> Bits(int request) => _bits.AsMemory(_offsets[request], Plan.Reads[request].Count);
}
