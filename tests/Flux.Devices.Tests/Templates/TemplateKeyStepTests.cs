using Flux.Devices.Templates;

namespace Flux.Devices.Tests.Templates;

/// <summary>Each key's step of the template parser, on the error paths <see cref="BadTemplateTests"/> does not take: every error, in order.</summary>
public sealed class TemplateKeyStepTests
{
    private static readonly DeviceTemplateLoader Loader = new(Flux.Devices.RegisterMaps.BuiltInRegisterMaps.Provider, [DeviceTypes.Bess, DeviceTypes.Meter]);

    public static TheoryData<string, string> BadTemplates => new()
    {
        { "device_template:\n  manufacturer: PowerPack\n",
            "2:3: device_template.type: is required: the device type the template is for (bess, meter, ...)" },
        { "device_template:\n  type: BESS\n  registers:\n    soe: 2026\n",
            "2:9: device_template.type: 'BESS' is not a device type name (lower-case letters, digits and underscores)" },
        { "device_template:\n  type: bess\n",
            "2:3: device_template.registers: the template lists no registers and names no register map" },
        { "device_template:\n  type: bess\n  registers:\n    Soe: 2026\n    soc: [1, 2]\n",
            "4:5: device_template.registers.Soe: a register name is lower-case letters, digits and underscores, starting with a letter, at most 32 characters | 5:10: device_template.registers.soc: a register is an address (soe: 2026) or a mapping (soe: {address: 2026, type: uint32})" },
        { "device_template:\n  type: bess\n  registers:\n    soe: {type: uint32}\n",
            "4:10: device_template.registers.soe.address: is required" },
        { "device_template:\n  type: bess\n  registers:\n    soe: {address: 1, scale: energy}\n",
            "4:30: device_template.registers.soe.scale: 'energy' is not a key of the scaling block" },
        { "device_template:\n  type: bess\n  registers:\n    soe: {address: 1, access: write, not_available: -1, kind: relay, order: middle}\n",
            "4:31: device_template.registers.soe.access: must be one of read, read_write, not 'write' | 4:53: device_template.registers.soe.not_available: must be a whole number of 0 or more (decimal, or hexadecimal as 0x8000), not '-1' | 4:63: device_template.registers.soe.kind: must be one of holding, input, coil, discrete_input, not 'relay' | 4:77: device_template.registers.soe.order: must be one of ABCD, CDAB, BADC, DCBA, not 'middle'" },
        { "device_template:\n  type: bess\n  registers:\n    soe: {address: 1, type: string}\n    soh: {address: 9, kind: coil, count: 2}\n",
            "4:29: device_template.registers.soe.count: a string needs a count: how many registers (two characters each) | 5:42: device_template.registers.soh.count: a uint16 takes 1 registers, not 2" },
        { "device_template:\n  type: bess\n  registers:\n    soe: {address: 1, unit: '', offset: x, count: 0}\n",
            "4:29: device_template.registers.soe.unit: must not be empty | 4:41: device_template.registers.soe.offset: must be a number, not 'x' | 4:51: device_template.registers.soe.count: must be from 1 to 125, not 0" },
        { "device_template:\n  type: bess\n  manufacturer: PowerPack\n  identify:\n    soe: []\n    nothing: 1\n",
            "5:10: device_template.identify.soe: lists no value | 6:5: device_template.identify.nothing: is not a point of the template's register map; its points are status, target_power, soe, available_blocks" },
    };

    [Theory]
    [MemberData(nameof(BadTemplates))]
    public void Load_KeyRefusingItsValue_ReportsEveryErrorInDocumentOrder(string yaml, string expected)
    {
        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml, "bad.yaml"));

        Assert.Equal(expected, string.Join(" | ", error.Errors));
    }

    [Theory]
    [InlineData("my_bess.yaml", "my_bess")]
    [InlineData(null, "template")]
    [InlineData(".yaml", "template")]
    public void Load_NoName_TakesTheFilesNameOrElseTemplate(string? fileName, string name)
    {
        var template = Loader.Load("device_template:\n  type: bess\n  registers:\n    soe: 2026\n", fileName);

        Assert.Equal(name, template.Name);
    }
}
