using System.Buffers.Binary;
using Flux.Devices.Modbus.Protocol;

namespace Flux.Devices.Modbus.Tests;

/// <summary>The frame parser and the reply checker are total: any bytes give a frame, "need more", or a typed verdict.</summary>
public sealed class FramingPropertyTests
{
    private const int Cases = 100_000;

    [Fact]
    public void TryRead_RandomAndMutatedFrames_AlwaysReturnsAVerdictWithinBounds()
    {
        var random = new Random(20261127);
        var counts = new Dictionary<FrameStatus, int>();
        var buffer = new byte[600];
        for (var i = 0; i < Cases; i++)
        {
            var length = Generate(random, buffer);
            var bytes = buffer.AsSpan(0, length);

            var status = ModbusFrame.TryRead(bytes, out var header, out var frameLength, out var error);

            counts[status] = counts.GetValueOrDefault(status) + 1;
            switch (status)
            {
                case FrameStatus.Complete:
                    Assert.InRange(frameLength, 8, ModbusFrame.MaxFrameLength);
                    Assert.True(frameLength <= length);
                    Assert.Equal(frameLength - 6, header.Length);
                    Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(bytes), header.TransactionId);
                    Assert.Null(error);
                    break;
                case FrameStatus.Invalid:
                    Assert.False(string.IsNullOrEmpty(error));
                    break;
                case FrameStatus.NeedMoreData:
                    Assert.True(length < ModbusFrame.MaxFrameLength);
                    break;
            }
        }

        // The generator reaches every verdict, so the property says something about each.
        Assert.All(Enum.GetValues<FrameStatus>(), s => Assert.True(counts.GetValueOrDefault(s) > 1000, $"{s}: {counts.GetValueOrDefault(s)}"));
    }

    [Fact]
    public void Check_RandomRepliesToRandomRequests_NeverThrowsAndNormalRepliesDecode()
    {
        var random = new Random(7);
        var pdu = new byte[300];
        var registers = new ushort[125];
        var bits = new bool[2000];
        var objects = new Dictionary<byte, string>();
        var normal = 0;
        for (var i = 0; i < Cases; i++)
        {
            var request = RandomRequest(random);
            var length = RandomReply(random, request, pdu);
            var reply = pdu.AsSpan(0, length);

            var kind = ModbusReply.Check(request, reply, out _, out var error);

            Assert.Equal(kind == ReplyKind.Invalid, error is not null);
            if (kind == ReplyKind.Normal)
            {
                normal++;
                switch (request.FunctionCode)
                {
                    case ModbusFunction.ReadCoils:
                        ModbusRequest.UnpackBits(reply[2..], bits.AsSpan(0, request.Quantity));
                        break;
                    case ModbusFunction.ReadHoldingRegisters:
                        ModbusRequest.ReadRegisters(reply[2..], registers.AsSpan(0, request.Quantity));
                        break;
                    case ModbusFunction.EncapsulatedInterface:
                        objects.Clear();
                        ModbusReply.ReadDeviceIdentification(reply, objects);
                        break;
                }
            }
        }

        Assert.True(normal > 5000, $"only {normal} normal replies were generated");
    }

    private static int Generate(Random random, byte[] buffer)
    {
        switch (random.Next(4))
        {
            case 0: // noise
            {
                var length = random.Next(0, 300);
                random.NextBytes(buffer.AsSpan(0, length));
                return length;
            }

            case 1: // a valid frame, maybe truncated
            case 2: // a valid frame, mutated
            {
                var pduLength = random.Next(1, 254);
                BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)random.Next(65536));
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), 0);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), (ushort)(pduLength + 1));
                buffer[6] = (byte)random.Next(256);
                random.NextBytes(buffer.AsSpan(7, pduLength));
                var length = 7 + pduLength + random.Next(0, 40); // trailing bytes of a next frame
                random.NextBytes(buffer.AsSpan(7 + pduLength, length - 7 - pduLength));
                if (random.Next(2) == 0)
                {
                    length = random.Next(0, length + 1);
                }

                for (var m = random.Next(0, 3); m > 0 && length > 0; m--)
                {
                    buffer[random.Next(Math.Min(length, 8))] ^= (byte)(1 << random.Next(8));
                }

                return length;
            }

            default: // hostile length fields
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), random.Next(4) == 0 ? (ushort)random.Next(65536) : (ushort)0);
                ushort[] lengths = [0, 1, 2, 3, 254, 255, 256, 0xFFFF, (ushort)random.Next(65536)];
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), lengths[random.Next(lengths.Length)]);
                var length = random.Next(0, 600);
                random.NextBytes(buffer.AsSpan(6, Math.Max(0, length - 6)));
                return length;
            }
        }
    }

    private static ModbusRequest RandomRequest(Random random) => random.Next(5) switch
    {
        0 => ModbusRequest.Read(ModbusFunction.ReadCoils, 1, 0, random.Next(1, 2001)),
        1 => ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 1, 0, random.Next(1, 126)),
        2 => ModbusRequest.WriteSingleRegister(1, (ushort)random.Next(65536), (ushort)random.Next(65536)),
        3 => ModbusRequest.WriteMultipleRegisters(1, 10, new ushort[random.Next(1, 124)]),
        _ => ModbusRequest.ReadDeviceIdentification(1, 1, 0),
    };

    private static int RandomReply(Random random, in ModbusRequest request, byte[] pdu)
    {
        if (random.Next(3) == 0)
        {
            var length = random.Next(0, 254);
            random.NextBytes(pdu.AsSpan(0, length));
            if (length > 0 && random.Next(2) == 0)
            {
                pdu[0] = request.FunctionCode;
            }

            return length;
        }

        // A well-formed reply, sometimes with one byte changed.
        var written = request.FunctionCode switch
        {
            ModbusFunction.ReadCoils or ModbusFunction.ReadHoldingRegisters => WriteReadReply(random, request, pdu),
            ModbusFunction.EncapsulatedInterface => WriteIdentificationReply(random, pdu),
            _ => WriteEcho(request, pdu),
        };
        if (random.Next(4) == 0 && written > 0)
        {
            pdu[random.Next(written)] = (byte)random.Next(256);
        }

        return written;
    }

    private static int WriteEcho(in ModbusRequest request, byte[] pdu)
    {
        request.WritePdu(pdu); // a write's reply echoes the first five bytes of its request
        return 5;
    }

    private static int WriteReadReply(Random random, in ModbusRequest request, byte[] pdu)
    {
        var count = request.FunctionCode == ModbusFunction.ReadCoils ? (request.Quantity + 7) / 8 : 2 * request.Quantity;
        pdu[0] = request.FunctionCode;
        pdu[1] = (byte)count;
        random.NextBytes(pdu.AsSpan(2, count));
        return 2 + count;
    }

    private static int WriteIdentificationReply(Random random, byte[] pdu)
    {
        byte[] head = [0x2B, 0x0E, 0x01, 0x81, 0x00, 0x00];
        head.CopyTo(pdu, 0);
        var at = 7;
        byte count = 0;
        while (at < 200 && random.Next(4) != 0)
        {
            var length = random.Next(0, 20);
            pdu[at] = count;
            pdu[at + 1] = (byte)length;
            random.NextBytes(pdu.AsSpan(at + 2, length));
            at += 2 + length;
            count++;
        }

        pdu[6] = count;
        return at;
    }
}
