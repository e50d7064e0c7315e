using System.Text;
using Flux.Devices.Templates;

namespace Flux.Devices.Tests.Templates;

/// <summary>Every class of bad template gets a <see cref="DeviceTemplateException"/> with the line and column of the problem.</summary>
public sealed class BadTemplateTests
{
    private static readonly DeviceTemplateLoader Loader = new(Flux.Devices.RegisterMaps.BuiltInRegisterMaps.Provider, [DeviceTypes.Bess, DeviceTypes.Meter]);

    public static TheoryData<string, string, int, int, string, string> BadTemplates => new()
    {
        {
            "unknown key", """
            device_template:
              type: bess
              colour: red
            """, 3, 3, "device_template.colour", "unknown key"
        },
        {
            "unknown register key", """
            device_template:
              type: bess
              registers:
                soe: {address: 2026, endian: big}
            """, 4, 26, "device_template.registers.soe.endian", "unknown key"
        },
        {
            "wrong type", """
            device_template:
              type: bess
              default_config:
                retry_count: three
            """, 4, 18, "device_template.default_config.retry_count", "must be a whole number from 0 to 10"
        },
        {
            "a list where a mapping belongs", """
            device_template:
              type: bess
              registers:
                - soe
            """, 4, 5, "device_template.registers", "must be a mapping"
        },
        {
            "duplicate key", """
            device_template:
              type: bess
              type: meter
            """, 3, 3, "", "the key 'type' appears twice"
        },
        {
            "duplicate register name", """
            device_template:
              type: bess
              registers:
                soe: 2026
                status: 2000
                soe: 2030
            """, 6, 5, "", "the key 'soe' appears twice"
        },
        {
            "duplicate register name in the printed form", """
            device_template:
            type: bess
            registers:
            soe: 2026
            scaling:
            energy: 0.001
            registers:
            soe: 2030
            """, 7, 1, "device_template.registers", "the key 'registers' appears twice"
        },
        {
            "overlapping addresses", """
            device_template:
              type: bess
              manufacturer: PowerPack
              registers:
                soe: 2026
                temperature: 2027
            """, 6, 18, "device_template.registers.temperature", "holding 2027..2027 overlaps 'soe' at 2026..2027"
        },
        {
            "address above 65535", """
            device_template:
              type: bess
              registers:
                soe: 65536
            """, 4, 10, "device_template.registers.soe", "must be from 0 to 65535"
        },
        {
            "negative address", """
            device_template:
              type: bess
              registers:
                soe: {address: -1}
            """, 4, 20, "device_template.registers.soe.address", "must be from 0 to 65535"
        },
        {
            "registers running past 65535", """
            device_template:
              type: bess
              registers:
                soe: {address: 65535, type: uint32}
            """, 4, 10, "device_template.registers.soe", "run past 65535"
        },
        {
            "unparseable duration", """
            device_template:
              type: bess
              default_config:
                polling_interval: soon
            """, 4, 23, "device_template.default_config.polling_interval", "must be a duration such as 60s"
        },
        {
            "zero duration", """
            device_template:
              type: bess
              default_config:
                timeout: 0s
            """, 4, 14, "device_template.default_config.timeout", "must be longer than 0"
        },
        {
            "unknown scaling key", """
            device_template:
              type: bess
              registers:
                voltage: {address: 3000, scale: volts}
              scaling:
                energy: 0.001
            """, 4, 37, "device_template.registers.voltage.scale", "'volts' is not a key of the scaling block (energy)"
        },
        {
            "unknown register map", """
            device_template:
              type: bess
              register_map: tesla_megapack
            """, 3, 17, "device_template.register_map", "no register map is named 'tesla_megapack'; known maps are acuvim2_standard, powerpack_bess"
        },
        {
            "unknown device type", """
            device_template:
              type: inverter
              registers:
                power: 1
            """, 2, 9, "device_template.type", "'inverter' is not a registered device type"
        },
        {
            "no type", """
            device_template:
              registers:
                power: 1
            """, 2, 3, "device_template.type", "is required"
        },
        {
            "a string without a count", """
            device_template:
              type: bess
              registers:
                serial: {address: 10, type: string}
            """, 4, 33, "device_template.registers.serial.count", "a string needs a count"
        },
        {
            "a count that does not fit the type", """
            device_template:
              type: bess
              registers:
                power: {address: 10, type: float32, count: 3}
            """, 4, 48, "device_template.registers.power.count", "a float32 takes 2 registers, not 3"
        },
        {
            "a typed coil", """
            device_template:
              type: bess
              registers:
                breaker: {address: 10, kind: coil, type: float32}
            """, 4, 46, "device_template.registers.breaker.type", "a coil or discrete input is one bit"
        },
        {
            "duplicate register name in one printed section", """
            device_template:
            type: bess
            registers:
            soe: 2026
            status: 2000
            soe: 2030
            """, 6, 1, "device_template.registers.soe", "the key 'soe' appears twice"
        },
        {
            "duplicate key at the root", """
            device_template:
              type: bess
            device_template:
              type: meter
            """, 3, 1, "device_template", "the key 'device_template' appears twice"
        },
        {
            "a control character in a text", """
            device_template:
              type: bess
              manufacturer: "Power\u0000Pack"
            """, 3, 17, "device_template.manufacturer", "must not hold control characters"
        },
        {
            "a name too long", $"""
            device_template:
              name: {new string('n', 201)}
              type: bess
            """, 2, 9, "device_template.name", "is 201 characters long; the limit is 200"
        },
        {
            "a duration finer than a millisecond", """
            device_template:
              type: bess
              default_config:
                timeout: 0.4ms
            """, 4, 14, "device_template.default_config.timeout", "must be a whole number of milliseconds"
        },
        {
            "a sentinel wider than the type", """
            device_template:
              type: bess
              registers:
                status: {address: 1, type: uint16, not_available: 0x1FFFF}
            """, 4, 13, "device_template.registers.status", "not_available 131071 does not fit a uint16 (16 bits)"
        },
        {
            "a min above the max", """
            device_template:
              type: bess
              registers:
                power: {address: 1, type: int16, access: read_write, min: 10, max: -10}
            """, 4, 12, "device_template.registers.power", "min 10 is greater than max -10"
        },
        {
            "a coil with a range", """
            device_template:
              type: bess
              registers:
                breaker: {address: 1, kind: coil, access: read_write, max: 1}
            """, 4, 14, "device_template.registers.breaker", "a coil or discrete input reads as 0 or 1: give no min or max"
        },
        {
            "a min that is not a number", """
            device_template:
              type: bess
              registers:
                power: {address: 1, type: int16, min: low}
            """, 4, 43, "device_template.registers.power.min", "must be a number"
        },
        {
            "a scaled coil", """
            device_template:
              type: bess
              registers:
                breaker: {address: 1, kind: coil, scale: 2}
            """, 4, 14, "device_template.registers.breaker", "a coil or discrete input reads as 0 or 1"
        },
        {
            "a secondary-side string", """
            device_template:
              type: meter
              registers:
                serial: {address: 1, type: string, count: 4, secondary: current}
            """, 4, 13, "device_template.registers.serial", "a string is no measurement: give no secondary"
        },
        {
            "a secondary side that is not one", """
            device_template:
              type: meter
              registers:
                amps: {address: 1, secondary: amps}
            """, 4, 35, "device_template.registers.amps.secondary", "must be one of none, current, voltage, power, not 'amps'"
        },
        {
            "a writable input register", """
            device_template:
              type: bess
              registers:
                power: {address: 1, kind: input, access: read_write}
            """, 4, 12, "device_template.registers.power", "input registers and discrete inputs are read-only"
        },
        {
            "a register name too long", """
            device_template:
              type: bess
              registers:
                battery_module_temperature_maximum: 1
            """, 4, 5, "device_template.registers.battery_module_temperature_maximum", "at most 32 characters"
        },
        {
            "not YAML", """
            device_template:
              type: bess
              registers: [2026
            """, 4, 1, "", "not valid YAML"
        },
        {
            "no template at all", """
            type: bess
            """, 1, 1, "type", "unknown key; use device_template"
        },
        {
            "empty text", "", 1, 1, "", "the text is empty"
        },
        {
            "identify names a point the map lacks", """
            device_template:
              type: bess
              manufacturer: PowerPack
              identify:
                serial: 7
            """, 5, 5, "device_template.identify.serial", "is not a point of the template's register map; its points are status, target_power, soe, available_blocks"
        },
        {
            "identify on a coil", """
            device_template:
              type: bess
              registers:
                running: {address: 1, kind: coil}
              identify:
                running: 1
            """, 6, 5, "device_template.identify.running", "discovery reads only holding and input registers"
        },
        {
            "identify with a word for a number", """
            device_template:
              type: bess
              manufacturer: PowerPack
              identify:
                available_blocks: [10, ten]
            """, 5, 28, "device_template.identify.available_blocks", "must be a number"
        },
        {
            "identify with nothing in it", """
            device_template:
              type: bess
              manufacturer: PowerPack
              identify: {}
            """, 4, 13, "device_template.identify", "lists no point"
        },
        {
            "SunSpec points without register_map: sunspec", """
            device_template:
              type: bess
              manufacturer: PowerPack
              points: [802.SoC]
            """, 4, 11, "device_template.points", "it needs register_map: sunspec"
        },
        {
            "a SunSpec point its model does not have", """
            device_template:
              type: bess
              register_map: sunspec
              points: [802.SoC, 802.SoCC]
            """, 4, 21, "device_template.points[1]", "'802.SoCC': 802 has no point 'SoCC'; its points are ID, L, AHRtg"
        },
        {
            "a SunSpec point of a model the library does not ship", """
            device_template:
              type: bess
              register_map: sunspec
              points: [64999.W]
            """, 4, 12, "device_template.points[0]", "'64999.W': model 64999 is not one the library ships; shipped models are 1, 101"
        },
        {
            "a repeating SunSpec group without its index", """
            device_template:
              type: bess
              register_map: sunspec
              points: [803.string.StrSoC]
            """, 4, 12, "device_template.points[0]", "group 'string' repeats: give the instance (string[1])"
        },
        {
            "registers beside register_map: sunspec", """
            device_template:
              type: bess
              register_map: sunspec
              registers:
                soe: 2026
            """, 5, 5, "device_template.registers", "does not apply to register_map: sunspec"
        },
        {
            "scaling beside register_map: sunspec", """
            device_template:
              type: bess
              register_map: sunspec
              scaling:
                power: 1.0
            """, 5, 5, "device_template.scaling", "a SunSpec point is scaled by the device's own scale factor"
        },
        {
            "a SunSpec identify block naming a point", """
            device_template:
              type: bess
              register_map: sunspec
              identify:
                802.SoC: 50
            """, 5, 5, "device_template.identify.802.SoC", "unknown key"
        },
        {
            "a SunSpec model id out of range", """
            device_template:
              type: bess
              register_map: sunspec
              identify:
                sunspec_models: [802, 65535]
            """, 5, 27, "device_template.identify.sunspec_models", "must be from 1 to 65534, not 65535"
        },
    };

    [Theory]
    [MemberData(nameof(BadTemplates))]
    public void Load_BadTemplate_ThrowsWithLineColumnPathAndReason(string because, string yaml, int line, int column, string path, string reason)
    {
        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml, "bad.yaml"));

        var first = error.Errors[0];
        Assert.True((line, column, path) == (first.Line, first.Column, first.Path), $"{because}: expected {line}:{column} {path}, got {first}");
        Assert.Contains(reason, first.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Equal("bad.yaml", error.FileName);
        Assert.StartsWith(
            error.Errors.Count == 1 ? $"bad.yaml({line},{column}): {path}" : $"bad.yaml has {error.Errors.Count} problems: ({line},{column}) {path}",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadDuration_MessageAsTheReadmeShowsIt()
    {
        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load("device_template:\n  type: bess\n  default_config:\n    polling_interval: soon\n", "bad.yaml"));

        Assert.Equal("bad.yaml(4,23): device_template.default_config.polling_interval: must be a duration such as 60s, 500ms, 5m or 1h, not 'soon'", error.Message);
    }

    [Fact]
    public void Load_SeveralProblems_ReportsEveryOneInDocumentOrder()
    {
        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load("""
            device_template:
              type: bess
              default_config:
                polling_interval: soon
                retry_count: 11
              registers:
                soe: 70000
            """));

        Assert.Equal(
            ["4:23: device_template.default_config.polling_interval", "5:18: device_template.default_config.retry_count", "7:10: device_template.registers.soe"],
            error.Errors.Select(e => $"{e.Line}:{e.Column}: {e.Path}"));
    }

    [Fact]
    public void Load_OverSixtyFourKilobytes_IsRefused()
    {
        var yaml = SpecSamplesPadding(DeviceTemplateLoader.MaxBytes + 1);

        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml));

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("the limit is 65536", error.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AHundredThousandNestedBrackets_IsRefusedAtTheSizeLimit()
    {
        var yaml = new string('[', 100_000) + new string(']', 100_000);

        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml));

        Assert.Equal("the text is 200000 bytes; the limit is 65536", error.Errors[0].Message);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    public void Load_ThirtyThousandNestedBrackets_IsRefusedAtTheDepthLimit(string open, string close)
    {
        var depth = 60_000 / (open.Length + close.Length);
        var yaml = string.Concat(Enumerable.Repeat(open, depth)) + string.Concat(Enumerable.Repeat(close, depth));

        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml));

        Assert.Equal("nesting is deeper than 64 levels", error.Errors[0].Message);
        Assert.Equal((1, (64 * open.Length) + 1), (error.Line, error.Column));
    }

    [Fact]
    public void Load_SixtyFiveNestedMappings_IsRefusedAtTheDepthLimit()
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < 65; i++)
        {
            yaml.Append(' ', i * 2).Append('k').Append(i).Append(":\n");
        }

        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml.ToString()));

        Assert.Contains("nesting is deeper than 64 levels", error.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(65, error.Line);
    }

    [Fact]
    public void Load_BillionLaughs_IsRefusedAtTheFirstAnchor()
    {
        var yaml = """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
            i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
            """;

        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml));

        Assert.Equal((1, 4), (error.Line, error.Column));
        Assert.Contains("anchors (&a) are not allowed", error.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AnAlias_IsRefused()
    {
        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load("""
            device_template:
              type: bess
              registers: *missing
            """));

        Assert.Equal(3, error.Line);
        Assert.Contains("aliases (*missing) are not allowed", error.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("device_template: !!python/object:os.system {type: bess}", "tags (tag:yaml.org,2002:python/object:os.system) are not allowed")]
    [InlineData("device_template:\n  type: !custom bess", "tags (!custom) are not allowed")]
    public void Load_ATag_IsRefused(string yaml, string reason)
    {
        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml));

        Assert.Contains(reason, error.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TwoDocuments_IsRefused()
    {
        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load("device_template:\n  type: bess\n---\ndevice_template:\n  type: meter\n"));

        Assert.Equal(3, error.Line);
        Assert.Contains("more than one YAML document", error.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TooManyNodes_IsRefused()
    {
        var yaml = "x: [" + string.Join(",", Enumerable.Repeat("1", 10_001)) + "]";

        var error = Assert.Throws<DeviceTemplateException>(() => Loader.Load(yaml));

        Assert.Contains("more than 10000 nodes", error.Errors[0].Message, StringComparison.Ordinal);
    }

    private static string SpecSamplesPadding(int bytes) =>
        TestUtilities.SpecSamples.PowerPackTemplate + "\n" + new string('#', bytes - TestUtilities.SpecSamples.PowerPackTemplate.Length - 1);
}
