using Flux.Devices.Control;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Tests.Control;

/// <summary>A value back to raw registers: <c>raw = (value - offset) / scale</c>, rounded for integers, checked to fit.</summary>
public sealed class ControlEncodingTests
{
    [Fact]
    public void Encode_ScaleAndOffset_GoBackwardsAndRound()
    {
        var point = new RegisterDefinition { Name = "p", Address = 0, DataType = RegisterDataType.Int16, Scale = 0.1, Offset = -5 };

        Assert.Equal([(ushort)155], DeviceControl.Encode(point, null, 10.46).Registers!); // (10.46 + 5) / 0.1 = 154.6 -> 155
        Assert.Equal([(ushort)0xFFCE], DeviceControl.Encode(point, null, -10).Registers!); // -50
    }

    [Fact]
    public void Encode_NamedScale_ComesFromTheScalingGiven()
    {
        var point = new RegisterDefinition { Name = "energy", Address = 0, DataType = RegisterDataType.UInt32, Count = 2, ScaleKey = "energy" };

        Assert.Equal([(ushort)0x0001, (ushort)0x86A0], DeviceControl.Encode(point, new Dictionary<string, double> { ["energy"] = 0.001 }, 100).Registers!);
    }

    [Fact]
    public void Encode_WordOrderAndFloats_FollowThePoint()
    {
        var int32 = new RegisterDefinition { Name = "p", Address = 0, DataType = RegisterDataType.Int32, Count = 2, Order = ByteOrder.CDAB };
        var float32 = new RegisterDefinition { Name = "f", Address = 0, DataType = RegisterDataType.Float32, Count = 2 };

        Assert.Equal([(ushort)0x86A0, (ushort)0x0001], DeviceControl.Encode(int32, null, 100000).Registers!);
        Assert.Equal([(ushort)0x3FC0, (ushort)0x0000], DeviceControl.Encode(float32, null, 1.5).Registers!);
    }

    [Theory]
    [InlineData(RegisterDataType.Int16, 32768)]
    [InlineData(RegisterDataType.Int16, -32769)]
    [InlineData(RegisterDataType.UInt16, -1)]
    [InlineData(RegisterDataType.UInt16, 65535.5)]
    [InlineData(RegisterDataType.Float32, 1e39)]
    public void Encode_ARawValueThatDoesNotFit_IsRefusedSayingWhy(RegisterDataType type, double value)
    {
        var point = new RegisterDefinition { Name = "p", Address = 0, DataType = type, Count = RegisterCodec.RegisterCount(type) };

        var (registers, problem) = DeviceControl.Encode(point, null, value);

        Assert.Null(registers);
        Assert.Contains("does not fit 'p'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_TheNotAvailableSentinel_CoilsAndText_AreRefused()
    {
        var withSentinel = new RegisterDefinition { Name = "p", Address = 0, DataType = RegisterDataType.Int16, NotAvailable = 0x8000 };
        var coil = new RegisterDefinition { Name = "breaker", Address = 0, Kind = RegisterKind.Coil, Access = RegisterAccess.ReadWrite };
        var text = new RegisterDefinition { Name = "serial", Address = 0, DataType = RegisterDataType.String, Count = 4 };
        var zeroScale = new RegisterDefinition { Name = "z", Address = 0, Scale = 0 };

        Assert.Contains("not_available", DeviceControl.Encode(withSentinel, null, -32768).Problem, StringComparison.Ordinal);
        Assert.Equal([(ushort)1], DeviceControl.Encode(coil, null, 1).Registers!);
        Assert.Contains("is not 0 or 1", DeviceControl.Encode(coil, null, 2).Problem, StringComparison.Ordinal);
        Assert.Contains("is text", DeviceControl.Encode(text, null, 1).Problem, StringComparison.Ordinal);
        Assert.Contains("scales by 0", DeviceControl.Encode(zeroScale, null, 1).Problem, StringComparison.Ordinal);
    }
}
