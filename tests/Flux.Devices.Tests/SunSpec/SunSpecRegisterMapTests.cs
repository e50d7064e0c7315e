using System.Text.Json;
using Flux.Devices.RegisterMaps;
using Flux.Devices.SunSpec;

namespace Flux.Devices.Tests.SunSpec;

/// <summary>The register map built from a chain, its read plan and the decoding of a poll, without a device.</summary>
public sealed class SunSpecRegisterMapTests
{
    // 802 (L 62) at 40070, 804 with two modules (L 46 + 2 x 16) at 40134.
    private static readonly SunSpecChain Battery = new(40000, [new(1, 40002, 66), new(802, 40070, 62), new(804, 40134, 78)]);

    [Fact]
    public void Create_PutsEveryPointAtItsAddress_RepeatingGroupsByIndex_PadsLeftOut()
    {
        var map = SunSpecRegisterMap.Create(Battery);

        Assert.Empty(map.Problems);
        Assert.Equal(40002, Point(map, "1.ID").Address);
        Assert.Equal((40004, 16, SunSpecPointType.String), Point(map, "1.Mn") is var mn ? (mn.Address, mn.Size, mn.Type) : default);
        Assert.Equal(40070 + 11, Point(map, "802.SoC").Address);
        Assert.Equal("802.SoC_SF", map.Points[Point(map, "802.SoC").ScaleFactorIndex].Name);
        Assert.Equal(40134 + 48 + 16 + 1, Point(map, "804.lithium_ion_string_module[2].ModSoC").Address);
        Assert.Equal("804.SoC_SF", map.Points[Point(map, "804.lithium_ion_string_module[2].ModSoC").ScaleFactorIndex].Name); // the model's, one group up
        Assert.False(map.TryFind("804.lithium_ion_string_module[3].ModSoC", out _));
        Assert.DoesNotContain(map.Points, p => p.Type == SunSpecPointType.Pad);
        Assert.Equal(map.Points.OrderBy(p => p.Address).Select(p => p.Name), map.Points.Select(p => p.Name));
        Assert.Equal(40134 + 2 + 78 - 3, map.Points[^1].End); // the last module's last point, before its three pads
    }

    [Fact]
    public void Create_AModelTwice_NumbersEachOccurrence_AndAnUnknownModelIsListed()
    {
        var chain = new SunSpecChain(40000, [new(1, 40002, 66), new(804, 40070, 46), new(64999, 40118, 3), new(804, 40123, 62)]);

        var map = SunSpecRegisterMap.Create(chain);

        Assert.Equal([64999], map.UnknownModels);
        Assert.Equal(40070 + 8, Point(map, "804[1].SoC").Address);
        Assert.Equal(40123 + 8, Point(map, "804[2].SoC").Address);
        Assert.Equal(40123 + 48 + 1, Point(map, "804[2].lithium_ion_string_module[1].ModSoC").Address);
        Assert.False(map.TryFind("804.SoC", out _));
        Assert.False(map.TryFind("804[1].lithium_ion_string_module[1].ModSoC", out _));
    }

    [Fact]
    public void Create_GroupsWhoseSizeIsACount_NeedTheDeviceCounts_AndSaySoWithout()
    {
        // 705: 15 registers, then NCrv curves of 10 + NPt x 2; here NPt 4 (at +5), NCrv 3 (at +6): L = 13 + 3 x 18.
        // 160: 10 registers, then modules of 20 as many as fit (count 0): L 48 holds two.
        var chain = new SunSpecChain(40000, [new(1, 40002, 66), new(705, 40070, 67), new(160, 40139, 48)]);
        var counts = new Dictionary<int, ushort> { [40075] = 4, [40076] = 3 };

        var map = SunSpecRegisterMap.Create(chain, a => counts.TryGetValue(a, out var v) ? v : null);
        var blind = SunSpecRegisterMap.Create(chain);

        Assert.Empty(map.Problems);
        Assert.Equal(40070 + 15 + 18 + 10 + 4, Point(map, "705.Crv[2].Pt[3].V").Address);
        Assert.Equal("705.V_SF", map.Points[Point(map, "705.Crv[2].Pt[3].V").ScaleFactorIndex].Name);
        Assert.True(map.TryFind("705.Crv[3].Pt[4].Var", out _));
        Assert.False(map.TryFind("705.Crv[3].Pt[5].Var", out _));
        Assert.Equal(40139 + 10 + 20 + 11, Point(map, "160.module[2].DCW").Address);
        Assert.False(map.TryFind("160.module[3].DCW", out _));
        Assert.Equal(["model 705 at 40070 (length 67): the size of group Crv depends on a count that could not be read; it and what follows are not mapped"], blind.Problems);
        Assert.True(blind.TryFind("705.RspTms_SF", out _));
        Assert.True(blind.TryFind("160.module[2].DCW", out _)); // the next model is mapped all the same
    }

    [Fact]
    public void Create_AModelShorterThanItsDefinition_MapsWhatFits_AndItsUnscalablePointsReadAsMissing()
    {
        var chain = new SunSpecChain(40000, [new(802, 40002, 20)]);
        var map = SunSpecRegisterMap.Create(chain);
        var plan = SunSpecReadPlan.Create(map);
        var buffer = new ushort[plan.BufferLength];
        buffer[0] = 802;
        buffer[1] = 20;
        buffer[11] = 55; // SoC, whose SoC_SF (+56) is past the model's end
        buffer[15] = 7;  // NCyc's low word: no scale factor

        var values = new SunSpecValue[plan.Slots.Count];
        plan.Decode(buffer, values);
        var readings = plan.ToReadings(values).ToDictionary(r => r.Name);

        Assert.Equal(["model 802 at 40002 (length 20): point State at 40024 lies past the model's end (40023); it and what follows are not mapped"], map.Problems);
        Assert.Equal(-2, Point(map, "802.SoC").ScaleFactorIndex);
        Assert.False(readings["802.SoC"].IsAvailable);
        Assert.Equal(7, readings["802.NCyc"].Value);
        Assert.Equal(40024, map.Points[^1].End); // Typ, the last point that fits
    }

    [Fact]
    public void Plan_ReadsWithinTheLimits_NeverSplittingAPoint_AndTheScaleFactorsOfThePointsAskedFor()
    {
        var map = SunSpecRegisterMap.Create(Battery);

        var all = SunSpecReadPlan.Create(map);
        var small = SunSpecReadPlan.Create(map, options: new ReadPlanOptions { MaxRegistersPerRead = 16 });
        var tooSmall = Assert.Throws<ArgumentException>(() => SunSpecReadPlan.Create(map, options: new ReadPlanOptions { MaxRegistersPerRead = 15 }));
        var noGaps = SunSpecReadPlan.Create(map, options: new ReadPlanOptions { MaxGap = 0 });
        var some = SunSpecReadPlan.Create(map, ["804.lithium_ion_string_module[2].ModSoC", "802.W"]);

        // 40002..40210: 209 registers, one run (a read may span pads): two reads of 125 at most.
        Assert.Equal([(40002, 125), (40127, 84)], all.Reads.Select(r => ((int)r.Start, r.Count)));
        Assert.All(small.Reads, r => Assert.InRange(r.Count, 1, 16));
        Assert.StartsWith("Point '1.Mn' takes 16 registers; one read takes at most 15.", tooSmall.Message, StringComparison.Ordinal);
        Assert.All(small.Slots, s => Assert.Single(small.Reads, r => r.Start <= s.Address && s.End <= r.Start + r.Count));
        Assert.True(noGaps.Reads.Count > all.Reads.Count); // split at the pads
        Assert.Equal(["802.W", "802.W_SF", "804.SoC_SF", "804.lithium_ion_string_module[2].ModSoC"], some.Slots.Select(s => s.Name));
        Assert.Equal(2, some.ReportedCount);
        Assert.Equal(2, some.Reads.Count); // 802's W..W_SF; 804's SoC_SF (40172) with the module's ModSoC (40199), 26 apart
    }

    [Fact]
    public void Decode_AppliesEachPointsOwnScaleFactorFromTheSamePoll_AndNotImplementedIsMissing()
    {
        var map = SunSpecRegisterMap.Create(Battery);
        var plan = SunSpecReadPlan.Create(map, ["802.SoC", "802.W", "802.A", "802.V", "804.lithium_ion_string_module[1].ModCellTmpMax"]);
        var buffer = new ushort[plan.BufferLength];
        Set(plan, buffer, "802.SoC", 4873);
        Set(plan, buffer, "802.SoC_SF", unchecked((ushort)-2));
        Set(plan, buffer, "802.W", unchecked((ushort)-1234));
        Set(plan, buffer, "802.W_SF", 2);
        Set(plan, buffer, "802.A", 0x8000); // not implemented
        Set(plan, buffer, "802.A_SF", 0);
        Set(plan, buffer, "802.V", 800);
        Set(plan, buffer, "802.V_SF", 0x8000); // its scale factor not implemented
        Set(plan, buffer, "804.lithium_ion_string_module[1].ModCellTmpMax", unchecked((ushort)-15));
        Set(plan, buffer, "804.ModTmp_SF", 0);

        var values = new SunSpecValue[plan.Slots.Count];
        plan.Decode(buffer, values);
        var readings = plan.ToReadings(values);

        Assert.Equal(
            [("802.SoC", 48.73, "%WHRtg"), ("802.W", -123400, "W"), ("802.A", null, "A"), ("802.V", null, "V"), ("804.lithium_ion_string_module[1].ModCellTmpMax", -15, "C")], // in the order asked for
            readings.Select(r => (r.Name, r.Value, r.Unit)));
    }

    [Fact]
    public void Decode_AFull802And804Poll_AllocatesNothing()
    {
        var map = SunSpecRegisterMap.Create(Battery);
        var plan = SunSpecReadPlan.Create(map, map.Points.Where(p => p.ModelId != 1).Select(p => p.Name));
        var buffer = Enumerable.Range(0, plan.BufferLength).Select(i => (ushort)(i * 7)).ToArray();
        var values = new SunSpecValue[plan.Slots.Count];
        for (var i = 0; i < 3; i++)
        {
            plan.Decode(buffer, values); // warm up
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        plan.Decode(buffer, values);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(values.Count(v => v.IsAvailable) > 50);
    }

    [Theory]
    [InlineData(nameof(SunSpecPointType.Int16), new ushort[] { 0x8000 }, null)]
    [InlineData(nameof(SunSpecPointType.Int16), new ushort[] { 0xFFFE }, -2.0)]
    [InlineData(nameof(SunSpecPointType.UInt16), new ushort[] { 0xFFFF }, null)]
    [InlineData(nameof(SunSpecPointType.Enum16), new ushort[] { 0xFFFF }, null)]
    [InlineData(nameof(SunSpecPointType.Bitfield16), new ushort[] { 0xFFFF }, null)]
    [InlineData(nameof(SunSpecPointType.Count), new ushort[] { 3 }, 3.0)]
    [InlineData(nameof(SunSpecPointType.Acc16), new ushort[] { 0 }, null)]
    [InlineData(nameof(SunSpecPointType.Acc16), new ushort[] { 0xFFFF }, 65535.0)]
    [InlineData(nameof(SunSpecPointType.Sunssf), new ushort[] { 0x8000 }, null)]
    [InlineData(nameof(SunSpecPointType.Int32), new ushort[] { 0x8000, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.Int32), new ushort[] { 0xFFFF, 0xFFFE }, -2.0)]
    [InlineData(nameof(SunSpecPointType.UInt32), new ushort[] { 0xFFFF, 0xFFFF }, null)]
    [InlineData(nameof(SunSpecPointType.Enum32), new ushort[] { 0xFFFF, 0xFFFF }, null)]
    [InlineData(nameof(SunSpecPointType.Bitfield32), new ushort[] { 0xFFFF, 0xFFFF }, null)]
    [InlineData(nameof(SunSpecPointType.Bitfield32), new ushort[] { 1, 0 }, 65536.0)]
    [InlineData(nameof(SunSpecPointType.Acc32), new ushort[] { 0, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.Int64), new ushort[] { 0x8000, 0, 0, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.UInt64), new ushort[] { 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF }, null)]
    [InlineData(nameof(SunSpecPointType.Acc64), new ushort[] { 0, 0, 0, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.Acc64), new ushort[] { 0, 0, 1, 0 }, 65536.0)]
    [InlineData(nameof(SunSpecPointType.Float32), new ushort[] { 0x7FC0, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.Float32), new ushort[] { 0x4366, 0x8000 }, 230.5)]
    public void DecodeRaw_ReadsEachTypeAndItsNotImplementedValue(string type, ushort[] words, double? expected)
    {
        var point = new SunSpecPointDefinition("P", Enum.Parse<SunSpecPointType>(type), words.Length, 0, null, null, null, false, false);

        var value = SunSpecReadPlan.DecodeRaw(point, words);

        Assert.Equal((expected, (string?)null), (value.Number, value.Text));
    }

    [Theory]
    [InlineData(nameof(SunSpecPointType.String), new ushort[] { 0, 0, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.String), new ushort[] { 0x4142, 0x4300, 0 }, "ABC")]
    [InlineData(nameof(SunSpecPointType.IpAddr), new ushort[] { 0, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.IpAddr), new ushort[] { 0xC0A8, 0x0102 }, "192.168.1.2")]
    [InlineData(nameof(SunSpecPointType.Ipv6Addr), new ushort[] { 0, 0, 0, 0, 0, 0, 0, 0 }, null)]
    [InlineData(nameof(SunSpecPointType.Ipv6Addr), new ushort[] { 0xFE80, 0, 0, 0, 0, 0, 0, 1 }, "fe80::1")]
    [InlineData(nameof(SunSpecPointType.Eui48), new ushort[] { 0, 0x0011, 0x2233, 0x4455 }, "00:11:22:33:44:55")]
    [InlineData(nameof(SunSpecPointType.Eui48), new ushort[] { 0, 0, 0, 0 }, null)]
    public void DecodeRaw_ReadsTextsAndAddresses(string type, ushort[] words, string? expected)
    {
        var point = new SunSpecPointDefinition("P", Enum.Parse<SunSpecPointType>(type), words.Length, 0, null, null, null, false, false);

        var value = SunSpecReadPlan.DecodeRaw(point, words);

        Assert.Equal(((double?)null, expected), (value.Number, value.Text));
    }

    [Fact]
    public void Chain_AsMetadata_RoundTrips_AndAnOlderListOfIdsIsNoChain()
    {
        var metadata = DeviceMetadata.Empty.With(SunSpecChain.BaseMetadataKey, 40000L).With(SunSpecChain.MetadataKey, Battery.ToMetadataValue());
        var older = DeviceMetadata.Empty.With(SunSpecChain.MetadataKey, JsonSerializer.SerializeToElement(new[] { 1, 802 }));

        var chain = SunSpecChain.FromMetadata(metadata);

        Assert.Equal("""[{"id":1,"address":40002,"length":66},{"id":802,"address":40070,"length":62},{"id":804,"address":40134,"length":78}]""", metadata[SunSpecChain.MetadataKey].GetRawText());
        Assert.Equal(Battery.Models, chain!.Models);
        Assert.Equal(40000, chain.BaseAddress);
        Assert.Null(SunSpecChain.FromMetadata(older));
        Assert.Null(SunSpecChain.FromMetadata(DeviceMetadata.Empty));
    }

    private static SunSpecMapPoint Point(SunSpecRegisterMap map, string name)
    {
        Assert.True(map.TryFind(name, out var index), $"{name} is not in the map");
        return map.Points[index];
    }

    private static void Set(SunSpecReadPlan plan, ushort[] buffer, string name, ushort value)
    {
        var slot = plan.Slots.Select((s, i) => (s, i)).Single(p => p.s.Name == name);
        var read = plan.Reads.Single(r => r.Start <= slot.s.Address && slot.s.Address < r.Start + r.Count);
        buffer[read.BufferOffset + slot.s.Address - read.Start] = value;
    }
}
