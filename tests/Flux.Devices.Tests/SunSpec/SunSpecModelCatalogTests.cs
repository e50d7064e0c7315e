using System.Text;
using Flux.Devices.SunSpec;

namespace Flux.Devices.Tests.SunSpec;

/// <summary>The shipped SunSpec model definitions: the documented subset, parsed lazily, once, thread-safely.</summary>
public sealed class SunSpecModelCatalogTests
{
    private static readonly int[] Documented =
    [
        1, 101, 102, 103, 111, 112, 113, 120, 121, 122, 123, 124, 125, 126, 160, 201, 202, 203, 204, 211, 212, 213, 214,
        701, 702, 703, 704, 705, 706, 707, 708, 709, 710, 711, 712, 713, 714, 802, 803, 804, 805,
    ];

    [Fact]
    public void Ids_AreTheSubsetNoticeMdDocuments_AndEveryOneParses()
    {
        var catalog = new SunSpecModelCatalog(typeof(SunSpecModelCatalog).Assembly);

        var models = catalog.LoadAll();

        Assert.Equal(Documented, catalog.Ids);
        Assert.Equal(Documented, models.Select(m => m.Id));
        Assert.All(models, m => Assert.Equal(["ID", "L"], m.Group.Points.Take(2).Select(p => p.Name)));
        Assert.All(models.SelectMany(m => Points(m.Group)), p => Assert.True(p.Size >= 1, p.Name));
    }

    [Fact]
    public void Models_HaveTheirPointsAtTheirOffsets_WithTypeUnitsScaleFactorAccessAndCounts()
    {
        var catalog = new SunSpecModelCatalog(typeof(SunSpecModelCatalog).Assembly);

        Assert.True(catalog.TryGet(802, out var battery));
        Assert.True(catalog.TryGet(804, out var strings));
        Assert.True(catalog.TryGet(1, out var common));

        Assert.Equal(64, battery.Group.PointsLength); // L = 62
        Assert.Equal(68, common.Group.PointsLength); // L = 66
        var soc = battery.Group.Points.Single(p => p.Name == "SoC");
        Assert.Equal(new SunSpecPointDefinition("SoC", SunSpecPointType.UInt16, 1, 11, "SoC_SF", null, "%WHRtg", false, true), soc);
        Assert.True(battery.Group.Points.Single(p => p.Name == "SetOp").Writable);
        Assert.Equal((SunSpecPointType.Bitfield32, 2), battery.Group.Points.Single(p => p.Name == "Evt1") is var e ? (e.Type, e.Size) : default);
        var module = Assert.Single(strings.Group.Groups);
        Assert.Equal(("lithium_ion_string_module", "NMod", true, 16), (module.Name, module.Count.Point, module.Repeats, module.PointsLength));
        Assert.Equal((SunSpecPointType.String, 16), common.Group.Points.Single(p => p.Name == "Mn") is var mn ? (mn.Type, mn.Size) : default);
        Assert.False(catalog.TryGet(64999, out _));
    }

    [Fact]
    public async Task Models_AreParsedOnFirstUse_OnceAcrossThreads()
    {
        var catalog = new SunSpecModelCatalog(typeof(SunSpecModelCatalog).Assembly);
        Assert.Equal(0, catalog.LoadedCount);
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.Wait(TestContext.Current.CancellationToken);
            return catalog.TryGet(804, out var model) ? model : null;
        })).ToList();
        start.Set();
        var models = await Task.WhenAll(tasks);

        Assert.All(models, m => Assert.Same(models[0], m));
        Assert.NotNull(models[0]);
        Assert.Equal(1, catalog.LoadedCount);
    }

    [Theory]
    [InlineData("""{"id": 9, "group": {"name": "x", "type": "group", "points": [{"name": "ID", "type": "uint16", "size": 1}, {"name": "L", "type": "uint16", "size": 1}, {"name": "Odd", "type": "int24", "size": 1}]}}""", "model_9.json x.Odd: unknown point type 'int24'.")]
    [InlineData("""{"id": 9, "group": {"name": "x", "type": "group", "points": [{"name": "ID", "type": "uint16", "size": 1}, {"name": "L", "type": "uint16", "size": 1}, {"name": "W", "type": "int32", "size": 1}]}}""", "model_9.json x.W: a int32 cannot take 1 registers.")]
    [InlineData("""{"id": 9, "group": {"name": "x", "type": "group", "points": [{"name": "L", "type": "uint16", "size": 1}]}}""", "model_9.json: the model's group does not start with the points ID and L.")]
    [InlineData("""{"id": 9}""", "model_9.json: not a SunSpec model definition: ")]
    public void Parse_ABadDefinition_SaysWhichPointAndWhy(string json, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => SunSpecModelCatalog.Parse(Encoding.UTF8.GetBytes(json), "model_9.json"));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<SunSpecPointDefinition> Points(SunSpecGroupDefinition group) => group.Points.Concat(group.Groups.SelectMany(Points));
}
