using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Tests.RegisterMaps;

public sealed class ReadPlanTests
{
    [Fact]
    public void Create_PowerPackBess_IsOneReadOfTheWholeMap()
    {
        var plan = ReadPlan.ForMap(BuiltInRegisterMaps.PowerPackBess);

        Assert.Equal(["holding 2000..2028 (29): status, target_power, soe, available_blocks"], plan.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public void Create_Acuvim2Standard_IsOneReadAcrossItsSmallGaps()
    {
        var plan = ReadPlan.ForMap(BuiltInRegisterMaps.Acuvim2Standard);

        var request = Assert.Single(plan.Requests);
        Assert.Equal((RegisterKind.Holding, (ushort)0x4000, 0x4C), (request.Kind, request.Start, request.Count));
        Assert.Equal(BuiltInRegisterMaps.Acuvim2Standard.Registers.Count, request.Registers.Count);
    }

    [Fact]
    public void Create_NoGapAllowed_SplitsAtEveryHole()
    {
        var plan = ReadPlan.ForMap(BuiltInRegisterMaps.PowerPackBess, new ReadPlanOptions { MaxGap = 0 });

        Assert.Equal(
            ["holding 2000..2000 (1): status", "holding 2008..2008 (1): target_power", "holding 2026..2028 (3): soe, available_blocks"],
            plan.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public void Create_GapWider_ThanAllowed_StartsANewRead()
    {
        RegisterDefinition[] points = [Point("a", 100), Point("b", 110), Point("c", 111 + 32), Point("d", 144 + 33)];

        var plan = ReadPlan.Create(points);

        // b..c leaves exactly 32 unwanted registers (111..142): allowed; c..d leaves 33: not.
        Assert.Equal(["holding 100..143 (44): a, b, c", "holding 177..177 (1): d"], plan.Requests.Select(r => r.ToString()));
    }

    [Fact]
    public void Create_MoreThan125Registers_SplitsAtTheProtocolLimit()
    {
        var points = Enumerable.Range(0, 100).Select(i => Point($"p{i}", (ushort)(i * 2), RegisterDataType.Float32)).ToList();

        var plan = ReadPlan.Create(points);

        Assert.Equal(["holding 0..123 (124)", "holding 124..199 (76)"], plan.Requests.Select(r => r.ToString()[..r.ToString().IndexOf(':', StringComparison.Ordinal)]));
        Assert.All(plan.Requests, r => Assert.InRange(r.Count, 1, 125));
        Assert.Equal(100, plan.Requests.Sum(r => r.Registers.Count));
    }

    [Fact]
    public void Create_BitsAndRegisters_AreReadPerTableWithTheirOwnLimits()
    {
        RegisterDefinition[] points =
        [
            Point("power", 10, kind: RegisterKind.Input),
            Point("setpoint", 10),
            Point("breaker", 0, kind: RegisterKind.Coil),
            Point("fan", 1999, kind: RegisterKind.Coil),
            Point("pump", 2000, kind: RegisterKind.Coil),
            Point("alarm", 5, kind: RegisterKind.DiscreteInput),
        ];

        var plan = ReadPlan.Create(points, new ReadPlanOptions { MaxGap = 5000 });

        Assert.Equal(
            ["holding 10..10 (1): setpoint", "input 10..10 (1): power", "coil 0..1999 (2000): breaker, fan", "coil 2000..2000 (1): pump", "discreteinput 5..5 (1): alarm"],
            plan.Requests.Select(r => r.ToString()));
    }

    [Theory]
    [InlineData(0, 2000, 0)]
    [InlineData(126, 2000, 0)]
    [InlineData(125, 2001, 0)]
    [InlineData(125, 2000, -1)]
    public void Create_LimitsOutsideTheProtocol_AreRefused(int registers, int bits, int gap)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReadPlan.ForMap(BuiltInRegisterMaps.PowerPackBess, new ReadPlanOptions { MaxRegistersPerRead = registers, MaxBitsPerRead = bits, MaxGap = gap }));
    }

    [Fact]
    public void Decode_FullPowerPackRead_GivesScaledTypedReadingsWithUnits()
    {
        var plan = ReadPlan.ForMap(BuiltInRegisterMaps.PowerPackBess);
        var words = new ushort[29];
        words[0] = 2;                               // status: discharging
        words[8] = unchecked((ushort)(short)-40);   // target_power: -40 kW (charging)
        words[26] = 0x0003;                         // soe: 0x0003_D090 = 250,000 Wh
        words[27] = 0xD090;
        words[28] = 10;                             // available_blocks
        var readings = new List<RegisterReading>();

        ReadPlan.Decode(plan.Requests[0], words, plan.Scaling, readings);

        Assert.Equal(
            [
                new RegisterReading { Name = "status", Value = 2, Text = null, Unit = null },
                new RegisterReading { Name = "target_power", Value = -40, Text = null, Unit = "kW" },
                new RegisterReading { Name = "soe", Value = 250, Text = null, Unit = "kWh" },
                new RegisterReading { Name = "available_blocks", Value = 10, Text = null, Unit = null },
            ],
            readings);
    }

    [Fact]
    public void Decode_ATemplatesScaling_OverridesTheMaps()
    {
        var soe = BuiltInRegisterMaps.PowerPackBess.Find("soe")!;

        var reading = RegisterDecoder.Decode(soe, [0x0003, 0xD090], new Dictionary<string, double> { ["energy"] = 1.0 });

        Assert.Equal(250_000, reading.Value);
    }

    [Theory]
    [InlineData(RegisterDataType.Int16, 0x8000UL, new ushort[] { 0x8000 })]
    [InlineData(RegisterDataType.UInt16, 0xFFFFUL, new ushort[] { 0xFFFF })]
    [InlineData(RegisterDataType.Int32, 0x80000000UL, new ushort[] { 0x8000, 0x0000 })]
    [InlineData(RegisterDataType.UInt32, 0xFFFFFFFFUL, new ushort[] { 0xFFFF, 0xFFFF })]
    public void Decode_NotAvailableSentinel_IsAMissingValueNotANumber(RegisterDataType type, ulong sentinel, ushort[] words)
    {
        var point = new RegisterDefinition { Name = "p", Address = 0, DataType = type, Count = words.Length, NotAvailable = sentinel, Unit = "W" };

        var reading = RegisterDecoder.Decode(point, words);

        Assert.Equal(new RegisterReading { Name = "p", Value = null, Text = null, Unit = "W" }, reading);
        Assert.False(reading.IsAvailable);
        var one = new ushort[words.Length];
        one[^1] = 1;
        Assert.Equal(1, RegisterDecoder.Decode(point, one).Value);
    }

    [Fact]
    public void Decode_NaNFloat_IsMissing()
    {
        var point = new RegisterDefinition { Name = "frequency", Address = 0, DataType = RegisterDataType.Float32, Count = 2, Unit = "Hz" };

        Assert.Null(RegisterDecoder.Decode(point, [0x7FC0, 0x0000]).Value);
        Assert.Equal(50.0, RegisterDecoder.Decode(point, [0x4248, 0x0000]).Value);
    }

    [Fact]
    public void Decode_OrderScaleAndOffset_AreApplied()
    {
        var point = new RegisterDefinition
        {
            Name = "temperature", Address = 0, DataType = RegisterDataType.Int32, Count = 2, Order = ByteOrder.CDAB, Scale = 0.1, Offset = -40, Unit = "°C",
        };

        // CDAB: the low word comes first. 0x0000_0384 = 900 → 900 × 0.1 − 40 = 50.
        var reading = RegisterDecoder.Decode(point, [0x0384, 0x0000]);

        Assert.Equal(50, reading.Value!.Value, 9);
    }

    [Fact]
    public void Decode_String_IsText()
    {
        var point = new RegisterDefinition { Name = "serial", Address = 0, DataType = RegisterDataType.String, Count = 3 };

        Assert.Equal("PP-500", RegisterDecoder.Decode(point, [0x5050, 0x2D35, 0x3030]).Text);
        Assert.Null(RegisterDecoder.Decode(point, [0, 0, 0]).Text);
    }

    [Fact]
    public void Decode_ScaleKeyMissingFromTheScaling_IsRefused()
    {
        var soe = BuiltInRegisterMaps.PowerPackBess.Find("soe")!;

        var error = Assert.Throws<ArgumentException>(() => RegisterDecoder.Decode(soe, [0, 1], new Dictionary<string, double>()));

        Assert.Contains("'energy'", error.Message, StringComparison.Ordinal);
    }

    private static RegisterDefinition Point(string name, ushort address, RegisterDataType type = RegisterDataType.UInt16, RegisterKind kind = RegisterKind.Holding) =>
        new() { Name = name, Address = address, DataType = type, Count = type == RegisterDataType.Float32 ? 2 : 1, Kind = kind };
}
