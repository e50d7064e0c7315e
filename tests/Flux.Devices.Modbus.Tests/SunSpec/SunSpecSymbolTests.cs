using Flux.Devices.SunSpec;

namespace Flux.Devices.Modbus.Tests.SunSpec;

/// <summary>Enumeration and bitfield values named by the symbols of the shipped model definitions.</summary>
public sealed class SunSpecSymbolTests
{
    [Theory]
    [InlineData("802.ChaSt", 4d, "CHARGING")]
    [InlineData("802.ChaSt", 6d, "HOLDING")]
    [InlineData("802.ChaSt", 42d, null)] // a value the definition does not name
    [InlineData("802.State", 99d, "FAULT")]
    [InlineData("802.LocRemCtl", 0d, "REMOTE")]
    [InlineData("802.Evt1", 6d, "OVER_TEMP_ALARM, OVER_TEMP_WARNING")] // bits 1 and 2, lowest first
    [InlineData("802.Evt1", 1d + (1L << 31), "COMMUNICATION_ERROR, bit 31")] // bit 31 has no symbol in 802
    [InlineData("802.Evt1", 0d, null)] // no bit set
    [InlineData("802.SoC", 55d, null)] // no symbols
    [InlineData("802.ChaSt", 4.5d, null)] // not a whole number
    [InlineData("802.ChaSt", -4d, null)]
    [InlineData("804[2].ConFail", 1d, "BUTTON_PUSHED")] // any occurrence of a model
    [InlineData("804.St", 7d, "STRING_ENABLED, CONTACTOR_STATUS, bit 2")]
    public void SymbolOf_NamesTheValue_AsTheModelDefinitionDoes(string point, double value, string? expected)
    {
        var definition = SunSpecPointName.Find(point);

        Assert.NotNull(definition);
        Assert.Equal(expected, definition.SymbolOf(value));
    }
}
