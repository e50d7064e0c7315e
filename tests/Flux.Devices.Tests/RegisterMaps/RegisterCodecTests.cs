using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Tests.RegisterMaps;

public sealed class RegisterCodecTests
{
    [Theory]
    [InlineData(ByteOrder.ABCD, 0x42F6, 0xE979)]
    [InlineData(ByteOrder.CDAB, 0xE979, 0x42F6)]
    [InlineData(ByteOrder.BADC, 0xF642, 0x79E9)]
    [InlineData(ByteOrder.DCBA, 0x79E9, 0xF642)]
    public void Float32_123456_InEveryOrder(ByteOrder order, int first, int second)
    {
        ushort[] registers = [(ushort)first, (ushort)second];

        Assert.Equal(123.456f, RegisterCodec.ReadSingle(registers, order));
        var written = new ushort[2];
        RegisterCodec.WriteSingle(written, 123.456f, order);
        Assert.Equal(registers, written);
        Assert.Equal(0x42F6E979u, RegisterCodec.ReadUInt32(registers, order));
    }

    [Fact]
    public void Float32_PymodbusRegressionVector_ReadAsCdabGivesOneAndAHalfAndThree()
    {
        ushort[] registers = [0x0000, 0x3FC0, 0x0000, 0x4040];

        Assert.Equal(1.5f, RegisterCodec.ReadSingle(registers.AsSpan(0, 2), ByteOrder.CDAB));
        Assert.Equal(3.0f, RegisterCodec.ReadSingle(registers.AsSpan(2, 2), ByteOrder.CDAB));
        Assert.True(RegisterCodec.ReadSingle(registers.AsSpan(0, 2)) < 1e-40f); // the wrong order gives a denormal
    }

    [Fact]
    public void Integers_KnownVectors()
    {
        Assert.Equal(-2, RegisterCodec.ReadInt32([0xFFFF, 0xFFFE]));
        Assert.Equal(100000u, RegisterCodec.ReadUInt32([0x0001, 0x86A0]));
        Assert.Equal(100000u, RegisterCodec.ReadUInt32([0x86A0, 0x0001], ByteOrder.CDAB));
        Assert.Equal((short)-1, RegisterCodec.ReadInt16([0xFFFF]));
        Assert.Equal((ushort)0x3412, RegisterCodec.ReadUInt16([0x1234], ByteOrder.BADC));
        Assert.Equal(0x0102030405060708L, RegisterCodec.ReadInt64([0x0102, 0x0304, 0x0506, 0x0708]));
        Assert.Equal(0x0102030405060708L, RegisterCodec.ReadInt64([0x0708, 0x0506, 0x0304, 0x0102], ByteOrder.CDAB));
        Assert.Equal(0x0102030405060708L, RegisterCodec.ReadInt64([0x0807, 0x0605, 0x0403, 0x0201], ByteOrder.DCBA));
        Assert.Equal(1.0, RegisterCodec.ReadDouble([0x3FF0, 0, 0, 0]));
    }

    public static TheoryData<ByteOrder> Orders => [ByteOrder.ABCD, ByteOrder.CDAB, ByteOrder.BADC, ByteOrder.DCBA];

    [Theory]
    [MemberData(nameof(Orders))]
    public void EveryType_RoundTripsInEveryOrder(ByteOrder order)
    {
        var random = new Random(42 + (int)order);
        Span<ushort> r = stackalloc ushort[4];
        for (var i = 0; i < 1000; i++)
        {
            var i16 = (short)random.Next(short.MinValue, short.MaxValue);
            RegisterCodec.WriteInt16(r, i16, order);
            Assert.Equal(i16, RegisterCodec.ReadInt16(r, order));
            var i32 = random.Next(int.MinValue, int.MaxValue);
            RegisterCodec.WriteInt32(r, i32, order);
            Assert.Equal(i32, RegisterCodec.ReadInt32(r, order));
            var u64 = (ulong)random.NextInt64();
            RegisterCodec.WriteUInt64(r, u64, order);
            Assert.Equal(u64, RegisterCodec.ReadUInt64(r, order));
            var f64 = random.NextDouble() * 1e6;
            RegisterCodec.WriteDouble(r, f64, order);
            Assert.Equal(f64, RegisterCodec.ReadDouble(r, order));
            var f32 = (float)(random.NextDouble() * 1e3);
            RegisterCodec.WriteSingle(r, f32, order);
            Assert.Equal(f32, RegisterCodec.ReadSingle(r, order));
        }
    }

    [Fact]
    public void Strings_TwoCharactersPerRegisterStoppingAtNul()
    {
        var registers = new ushort[8];
        RegisterCodec.WriteString(registers, "PowerPack");

        Assert.Equal(0x506F, registers[0]); // 'P' 'o'
        Assert.Equal("PowerPack", RegisterCodec.ReadString(registers));
        Assert.Equal("SunS", RegisterCodec.ReadString([0x5375, 0x6E53]));
        Assert.Equal("uSSn", RegisterCodec.ReadString([0x5375, 0x6E53], ByteOrder.BADC));
        Assert.Equal("AB", RegisterCodec.ReadString([0x4142, 0x2020]));
        Assert.Throws<ArgumentException>(() => RegisterCodec.WriteString(new ushort[1], "ABC"));
        Assert.Throws<ArgumentException>(() => RegisterCodec.WriteString(new ushort[2], "Ü"));
    }

    [Fact]
    public void TooFewRegisters_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => RegisterCodec.ReadSingle([0x42F6]));
        Assert.Throws<ArgumentException>(() => RegisterCodec.WriteInt64(new ushort[3], 1));
        Assert.Equal(4, RegisterCodec.RegisterCount(RegisterDataType.Float64));
        Assert.Equal(2, RegisterCodec.RegisterCount(RegisterDataType.Float32));
    }
}
