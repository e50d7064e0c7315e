using System.Reflection;

namespace Flux.Devices.Tests.Hosting;

/// <summary>
/// Records the library hands out are not positional: a positional record's primary constructor and its
/// <c>Deconstruct</c> change signature when a field is added, which breaks every compiled caller. Small value keys
/// that callers build themselves are the exception, named here.
/// </summary>
public sealed class ResultTypeShapeTests
{
    private static readonly HashSet<string> PositionalKeys = new(StringComparer.Ordinal)
    {
        "Flux.Devices.Storage.DeviceWrite",
        "Flux.Devices.Discovery.ModbusUnitAddress",
    };

    [Fact]
    public void PublicRecords_HaveNoDeconstruct_ButTheValueKeys()
    {
        var positional = typeof(IDeviceRegistry).Assembly.GetExportedTypes()
            .Where(t => t.GetMethod("<Clone>$") is not null || t.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null || IsRecordStruct(t))
            .Where(t => t.GetMethod("Deconstruct") is not null)
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(PositionalKeys.Order(StringComparer.Ordinal), positional);
    }

    /// <summary>A record struct has a compiler-made <c>PrintMembers</c>.</summary>
    private static bool IsRecordStruct(Type type) =>
        type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is not null;
}
