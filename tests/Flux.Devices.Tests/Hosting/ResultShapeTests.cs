using System.Reflection;

namespace Flux.Devices.Tests.Hosting;

/// <summary>
/// Records the library hands out are not positional: no primary constructor and no <c>Deconstruct</c>, so adding a
/// field later is neither a binary nor a source break for a caller who reads them. The few value keys that a caller
/// builds and takes apart on purpose are named here.
/// </summary>
public sealed class ResultShapeTests
{
    private static readonly HashSet<string> PositionalOnPurpose =
    [
        "Flux.Devices.Storage.DeviceLease", // a (device, fencing token) pair
        "Flux.Devices.Storage.DeviceWrite", // a (device, history entry) pair a store receives
        "Flux.Devices.Discovery.ModbusUnitAddress", // an (endpoint, unit id) key
    ];

    [Fact]
    public void PublicRecords_HaveNoDeconstruct_ExceptTheValueKeys()
    {
        var positional = typeof(Device).Assembly.GetExportedTypes()
            .Where(t => t.GetMethod("<Clone>$") is not null || IsRecordStruct(t))
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.Name == "Deconstruct"))
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(PositionalOnPurpose.Order(StringComparer.Ordinal), positional);
    }

    [Fact]
    public void PublicRecords_AreFound()
    {
        // The check above means something only if it sees the records: the scan finds classes and structs alike.
        var records = typeof(Device).Assembly.GetExportedTypes()
            .Where(t => t.GetMethod("<Clone>$") is not null || IsRecordStruct(t))
            .Select(t => t.Name)
            .ToHashSet();

        Assert.Contains("TemplateResultItem", records);
        Assert.Contains("ScanProgress", records);
        Assert.Contains("DeviceWrite", records);
    }

    private static bool IsRecordStruct(Type type) =>
        type.IsValueType
        && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;
}
