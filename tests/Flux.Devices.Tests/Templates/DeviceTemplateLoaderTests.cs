using Flux.Devices.RegisterMaps;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;

namespace Flux.Devices.Tests.Templates;

public sealed class DeviceTemplateLoaderTests
{
    private static readonly DeviceTemplateLoader Loader = new(BuiltInRegisterMaps.Provider, [DeviceTypes.Bess, DeviceTypes.Meter]);

    [Fact]
    public void Load_SpecTemplateAsPrinted_ReadsEveryValue()
    {
        var template = Loader.Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");

        Assert.Equal("powerpack_bess", template.Name);
        Assert.Equal(DeviceTypes.Bess, template.DeviceType);
        Assert.Equal("PowerPack", template.Manufacturer);
        var config = template.Configuration;
        Assert.Equal("powerpack_bess", config.Template);
        Assert.Equal(TimeSpan.FromSeconds(60), config.PollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Timeout);
        Assert.Equal(3, config.RetryCount);
        Assert.Equal(new Dictionary<string, double> { ["power"] = 1.0, ["energy"] = 0.001 }, config.Scaling);
        Assert.Equal("powerpack_bess", config.RegisterMap.Name);
        Assert.Equal(
            ["status@2000 UInt16 x1", "target_power@2008 Int16 x1 power kW ReadWrite", "soe@2026 UInt32 x2 energy kWh Read", "available_blocks@2028 UInt16 x1"],
            config.RegisterMap.Registers.Select(Describe));
    }

    [Fact]
    public void Load_SpecTemplateIndented_EqualsTheTemplateAsPrinted()
    {
        var printed = Loader.Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");
        var indented = Loader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");

        Assert.Equal(printed.Configuration.ToMetadata(), indented.Configuration.ToMetadata());
        Assert.Equal((printed.Name, printed.DeviceType, printed.Manufacturer), (indented.Name, indented.DeviceType, indented.Manufacturer));
    }

    [Fact]
    public async Task ShippedTemplateFile_SaysWhatTheSpecsTemplateSays()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "templates", "powerpack_bess.yaml");

        var shipped = await Loader.LoadFileAsync(path, TestContext.Current.CancellationToken);
        var printed = Loader.Load(SpecSamples.PowerPackTemplateAsPrinted, "powerpack_bess.yaml");

        Assert.Equal(printed.Configuration.ToMetadata(), shipped.Configuration.ToMetadata());
        Assert.Equal((printed.Name, printed.DeviceType, printed.Manufacturer), (shipped.Name, shipped.DeviceType, shipped.Manufacturer));
    }

    [Fact]
    public void Load_ShortFormWithoutABaseMap_IsAUInt16ScaledByTheScalingKeyOfItsName()
    {
        var template = Loader.Load("""
            device_template:
              name: generic
              type: bess
              manufacturer: Acme
              registers:
                energy: 100
                status: 101
              scaling:
                energy: 0.5
            """);

        var map = template.Configuration.RegisterMap;
        Assert.Equal("generic", map.Name);
        Assert.Equal(new RegisterDefinition { Name = "energy", Address = 100, ScaleKey = "energy" }, map.Find("energy"));
        Assert.Equal(new RegisterDefinition { Name = "status", Address = 101 }, map.Find("status"));
    }

    [Fact]
    public void Load_ShortFormOverABaseMapPoint_KeepsItsTypeAndScalingAtTheNewAddress()
    {
        var template = Loader.Load("""
            device_template:
              type: bess
              register_map: powerpack_bess
              registers:
                soe: 3000
            """);

        var soe = template.Configuration.RegisterMap.Find("soe")!;
        Assert.Equal(BuiltInRegisterMaps.PowerPackBess.Find("soe")! with { Address = 3000 }, soe);
        Assert.Equal(0.001, template.Configuration.Scaling["energy"]);
        Assert.Equal(4, template.Configuration.RegisterMap.Registers.Count);
    }

    [Fact]
    public void Load_ExtendedForm_ReadsEveryKey()
    {
        var template = Loader.Load("""
            device_template:
              type: meter
              manufacturer: Acme
              scaling:
                volts: 0.1
              registers:
                voltage: {address: 0x10, kind: input, type: int32, order: CDAB, scale: volts, offset: -5, unit: V, not_available: 0x80000000}
                serial: {address: 100, type: string, count: 8}
                breaker: {address: 7, kind: coil, access: read_write}
                alarm: {address: 7, kind: discrete_input}
                gain: {address: 200, type: float32, scale: 2.5}
            """);

        var map = template.Configuration.RegisterMap;
        Assert.Equal(
            new RegisterDefinition
            {
                Name = "voltage", Address = 16, Kind = RegisterKind.Input, DataType = RegisterDataType.Int32, Count = 2, Order = ByteOrder.CDAB,
                ScaleKey = "volts", Offset = -5, Unit = "V", NotAvailable = 0x80000000,
            },
            map.Find("voltage"));
        Assert.Equal(new RegisterDefinition { Name = "serial", Address = 100, DataType = RegisterDataType.String, Count = 8 }, map.Find("serial"));
        Assert.Equal(new RegisterDefinition { Name = "breaker", Address = 7, Kind = RegisterKind.Coil, Access = RegisterAccess.ReadWrite }, map.Find("breaker"));
        Assert.Equal(new RegisterDefinition { Name = "alarm", Address = 7, Kind = RegisterKind.DiscreteInput }, map.Find("alarm"));
        Assert.Equal(new RegisterDefinition { Name = "gain", Address = 200, DataType = RegisterDataType.Float32, Count = 2, Scale = 2.5 }, map.Find("gain"));
    }

    [Fact]
    public void Load_SecondaryKey_MarksThePoint_AndTheConfigurationKeepsIt()
    {
        var template = Loader.Load("""
            device_template:
              type: meter
              manufacturer: Acme
              registers:
                amps: {address: 0, type: float32, unit: A, secondary: current}
                volts: {address: 2, type: float32, unit: V, secondary: voltage}
                kwh: {address: 4, type: uint32, unit: kWh, secondary: power}
                hz: {address: 6, type: float32, unit: Hz, secondary: none}
            """);
        var metadata = DeviceMetadata.Parse(SpecSamples.MeterMetadataJson).With(DeviceConfiguration.MetadataKey, template.Configuration.ToMetadata());

        Assert.True(DeviceConfiguration.TryRead(metadata, out var read));

        var map = template.Configuration.RegisterMap;
        Assert.Equal(
            [SecondarySide.Current, SecondarySide.Voltage, SecondarySide.Power, SecondarySide.None],
            new[] { "amps", "volts", "kwh", "hz" }.Select(p => map.Find(p)!.Secondary));
        Assert.Equal(map.Registers, read.RegisterMap.Registers);
        Assert.True(metadata.TryGetPath(["config", "registers", "kwh", "secondary"], out var side));
        Assert.Equal("power", side.GetString());
        Assert.False(metadata.TryGetPath(["config", "registers", "hz", "secondary"], out _));
    }

    [Fact]
    public void Acuvim2Map_MarksVoltagesCurrentsPowerAndEnergy_AsSecondarySide()
    {
        var map = BuiltInRegisterMaps.Acuvim2Standard;

        Assert.All(map.Registers, r => Assert.Equal(
            r.Name switch
            {
                "frequency" or "power_factor_total" => SecondarySide.None,
                var n when n.StartsWith("voltage_", StringComparison.Ordinal) => SecondarySide.Voltage,
                var n when n.StartsWith("current_", StringComparison.Ordinal) => SecondarySide.Current,
                _ => SecondarySide.Power,
            },
            r.Secondary));
        Assert.Equal(SecondarySide.Power, map.Find("energy_import")!.Secondary);
        Assert.All(BuiltInRegisterMaps.PowerPackBess.Registers, r => Assert.Equal(SecondarySide.None, r.Secondary));
    }

    [Fact]
    public void Configuration_RoundTripsThroughMetadata()
    {
        var template = Loader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With(DeviceConfiguration.MetadataKey, template.Configuration.ToMetadata());

        Assert.True(DeviceConfiguration.TryRead(metadata, out var read));

        Assert.Equal(template.Configuration.ToMetadata(), read.ToMetadata());
        Assert.Equal(template.Configuration.RegisterMap.Registers, read.RegisterMap.Registers);
        Assert.True(metadata.TryGetPath(["config", "polling_interval"], out var interval));
        Assert.Equal("60s", interval.GetString());
        Assert.True(metadata.TryGetPath(["config", "timeout"], out var timeout));
        Assert.Equal("5s", timeout.GetString());
    }

    [Fact]
    public void Load_MinAndMax_AreReadAndRoundTripThroughMetadata()
    {
        var template = Loader.Load("""
            device_template:
              type: bess
              manufacturer: PowerPack
              registers:
                target_power: {address: 2008, type: int16, scale: power, unit: kW, access: read_write, min: -20.5, max: 20}
            """);

        var point = template.Configuration.RegisterMap.Find("target_power")!;
        Assert.Equal((-20.5, 20.0), (point.Minimum, point.Maximum));
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With(DeviceConfiguration.MetadataKey, template.Configuration.ToMetadata());
        Assert.True(DeviceConfiguration.TryRead(metadata, out var read));
        Assert.Equal(point, read.RegisterMap.Find("target_power"));
        Assert.Null(read.RegisterMap.Find("soe")!.Minimum);
    }

    [Fact]
    public async Task LoadFileAsync_ReadsTheFileAndNamesTheTemplateAfterIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"flux-{Guid.NewGuid():N}", "powerpack_bess.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await File.WriteAllTextAsync(path, SpecSamples.PowerPackTemplateAsPrinted, TestContext.Current.CancellationToken);

            var template = await Loader.LoadFileAsync(path, TestContext.Current.CancellationToken);

            Assert.Equal("powerpack_bess", template.Name);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task LoadFileAsync_OverTheLimit_IsRefusedBeforeReading()
    {
        var path = Path.Combine(Path.GetTempPath(), $"flux-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(path, SpecSamples.PowerPackTemplate + new string('#', DeviceTemplateLoader.MaxBytes), TestContext.Current.CancellationToken);

            var error = await Assert.ThrowsAsync<DeviceTemplateException>(() => Loader.LoadFileAsync(path, TestContext.Current.CancellationToken));

            Assert.Equal((1, 1), (error.Line, error.Column));
            Assert.Equal("the file is over 65536 bytes, the limit", error.Errors[0].Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, "ack\n", "0xFF")] // a byte that never starts a sequence
    [InlineData(new byte[] { 0xC3, 0x28 }, "ack\n", "0xC3")] // a lead byte without its continuation
    [InlineData(new byte[] { 0xE2, 0x82 }, "", "0xE2")] // a sequence cut short by the end of the file
    public async Task LoadFileAsync_BytesThatAreNotUtf8_AreRefusedWithTheirLineAndOffset(byte[] bad, string tail, string shown)
    {
        // Decoded leniently, the bytes became U+FFFD in the template's manufacturer, and so in every device it configured.
        var path = Path.Combine(Path.GetTempPath(), $"flux-{Guid.NewGuid():N}.yaml");
        try
        {
            byte[] head = [.. "\uFEFF"u8, .. "device_template:\n  type: bess\n  manufacturer: Pé"u8];
            await File.WriteAllBytesAsync(path, [.. head, .. bad, .. System.Text.Encoding.UTF8.GetBytes(tail)], TestContext.Current.CancellationToken);

            var error = await Assert.ThrowsAsync<DeviceTemplateException>(() => Loader.LoadFileAsync(path, TestContext.Current.CancellationToken));

            // Line 3, after "  manufacturer: Pé" (18 characters; "é" is two bytes), at byte 52 of the file (the BOM counts).
            Assert.Equal((3, 19), (error.Line, error.Column));
            Assert.Equal(Path.GetFileName(path), error.FileName);
            Assert.Equal($"the file is not UTF-8: byte {shown} at offset 52 does not start a valid UTF-8 sequence; save the file as UTF-8", error.Errors[0].Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task LoadFileAsync_ADeviceFileThatNeverEnds_IsRefusedAtTheLimit()
    {
        // /dev/zero reports a length of 0 and never ends: the limit is on the bytes read, not on the reported size.
        var error = await Assert.ThrowsAsync<DeviceTemplateException>(() => Loader.LoadFileAsync("/dev/zero", TestContext.Current.CancellationToken));

        Assert.Equal("the file is over 65536 bytes, the limit", error.Errors[0].Message);
    }

    [Fact]
    public void Load_PrintedFormWithRegistersNamedLikeTemplateKeys_KeepsThemInTheirSection()
    {
        var template = Loader.Load("""
            device_template:
            type: bess
            manufacturer: PowerPack
            registers:
            name: 2040
            type: 2041
            power: 2042
            timeout: 2043
            scaling:
            power: 2.0
            """, "quirky.yaml");

        Assert.Equal(("quirky", DeviceTypes.Bess, "PowerPack"), (template.Name, template.DeviceType, template.Manufacturer));
        var map = template.Configuration.RegisterMap;
        Assert.Equal([2040, 2041, 2042, 2043], new[] { "name", "type", "power", "timeout" }.Select(n => (int)map.Find(n)!.Address));
        Assert.Equal("power", map.Find("power")!.ScaleKey);
        Assert.Equal(2.0, template.Configuration.Scaling["power"]);
        Assert.Null(template.Configuration.Timeout);
    }

    [Fact]
    public void Configuration_MapName_IsTheBaseMapsOnlyWhileThePointsAreTheBaseMaps()
    {
        var unchanged = Loader.Load(SpecSamples.PowerPackTemplate, "powerpack_bess.yaml");
        var moved = Loader.Load(SpecSamples.PowerPackTemplate.Replace("soe: 2026", "soe: 3000", StringComparison.Ordinal), "site_a.yaml");
        var rescaled = Loader.Load(SpecSamples.PowerPackTemplate.Replace("energy: 0.001", "energy: 1", StringComparison.Ordinal), "powerpack_bess.yaml");

        Assert.Equal("powerpack_bess", unchanged.Configuration.RegisterMap.Name);
        Assert.Equal("site_a", moved.Configuration.RegisterMap.Name);
        Assert.Equal("powerpack_bess_template", rescaled.Configuration.RegisterMap.Name);
    }

    internal static string Describe(RegisterDefinition r) =>
        $"{r.Name}@{r.Address} {r.DataType} x{r.Count}"
        + (r.ScaleKey is null ? string.Empty : $" {r.ScaleKey}")
        + (r.Unit is null ? string.Empty : $" {r.Unit} {r.Access}");

    [Fact]
    public void Load_IdentifyBlock_ReadsEachPointWithItsAcceptedValues()
    {
        var template = Loader.Load("""
            device_template:
              type: bess
              manufacturer: PowerPack
              registers:
                model_name: {address: 2100, type: string, count: 8}
              identify:
                available_blocks: 10
                soe: [0.5, 1.5e3]
                model_name: [PP-500, " PP-1000 "]
            """);

        Assert.Equal(
            [("available_blocks", "10", ""), ("soe", "0.5|1500", ""), ("model_name", "", "PP-500|PP-1000")],
            template.Fingerprint.Select(f => (f.Register.Name, string.Join('|', f.Numbers), string.Join('|', f.Texts))));
        Assert.Same(template.Configuration.RegisterMap.Find("soe"), template.Fingerprint[1].Register);
    }

    [Fact]
    public void Load_IdentifyAsASectionOfThePrintedForm_BelongsToTheTemplate()
    {
        var template = Loader.Load(SpecSamples.PowerPackTemplateAsPrinted + "\nidentify:\navailable_blocks: 10\n");

        Assert.Equal("available_blocks", Assert.Single(template.Fingerprint).Register.Name);
        Assert.Equal(4, template.Configuration.RegisterMap.Registers.Count);
    }

    [Fact]
    public void Load_WithoutIdentify_HasNoFingerprint() =>
        Assert.Empty(Loader.Load(SpecSamples.PowerPackTemplateAsPrinted).Fingerprint);
}
