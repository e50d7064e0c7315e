using Flux.Devices.RegisterMaps;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Tests.RegisterMaps;

public sealed class RegisterMapProviderTests : IDisposable
{
    private static readonly RegisterMap AcmeMeter = new(
        "acme_meter",
        [new RegisterDefinition { Name = "power", Address = 100, DataType = RegisterDataType.Float32, Count = 2, Unit = "W" }],
        description: "Acme meter");

    private readonly string _folder = Directory.CreateTempSubdirectory("flux-maps-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Container_FindsTheBuiltInMaps()
    {
        using var fixture = new RegistryFixture();
        var maps = fixture.Services.GetRequiredService<IRegisterMapProvider>();

        Assert.Same(BuiltInRegisterMaps.PowerPackBess, maps.Find("powerpack_bess"));
        Assert.Same(BuiltInRegisterMaps.Acuvim2Standard, maps.Find("acuvim2_standard"));
        Assert.Null(maps.Find("acme_meter"));
        Assert.Equal(["acuvim2_standard", "powerpack_bess"], maps.Names);
    }

    [Fact]
    public async Task AddRegisterMap_IsFoundLikeABuiltInByMetersAndTemplates()
    {
        using var fixture = new RegistryFixture(b => b.AddRegisterMap(AcmeMeter));
        var maps = fixture.Services.GetRequiredService<IRegisterMapProvider>();

        var meter = await fixture.Registry.RegisterAsync(SpecSamples.Meter("WLCE-ACME-01") with
        {
            Metadata = DeviceMetadata.Parse(SpecSamples.MeterMetadataJson).With("manufacturer", "Acme").With("register_map", "acme_meter"),
        });
        var named = fixture.TemplateLoader.Load("device_template:\n  type: meter\n  register_map: acme_meter\n");
        var byConvention = fixture.TemplateLoader.Load("device_template:\n  type: meter\n  manufacturer: Acme\n  default_config: {polling_interval: 1s}\n");

        Assert.Same(AcmeMeter, maps.Find("acme_meter"));
        Assert.Equal(["acme_meter", "acuvim2_standard", "powerpack_bess"], maps.Names);
        Assert.Equal("acme_meter", meter.Metadata.GetString("register_map"));
        Assert.Equal(AcmeMeter.Registers, named.Configuration.RegisterMap.Registers);
        Assert.Equal(AcmeMeter.Registers, byConvention.Configuration.RegisterMap.Registers);
    }

    [Fact]
    public async Task RegisterAsync_MeterNamingAnUnknownMap_IsRefusedNamingTheField()
    {
        using var fixture = new RegistryFixture();
        var before = await fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => fixture.Registry.RegisterAsync(SpecSamples.Meter() with
        {
            Metadata = DeviceMetadata.Parse(SpecSamples.MeterMetadataJson).With("register_map", "acuvim3_standard"),
        }).AsTask());

        var failure = Assert.Single(error.Errors);
        Assert.Equal("metadata.register_map", failure.Field);
        Assert.Equal("'acuvim3_standard' is not a known register map; known maps are acuvim2_standard, powerpack_bess", failure.Message);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public void AddRegisterMap_SameNameAsABuiltIn_ShadowsIt()
    {
        var mine = new RegisterMap("acuvim2_standard", [new RegisterDefinition { Name = "frequency", Address = 0x4000, DataType = RegisterDataType.Float32, Count = 2 }]);
        using var fixture = new RegistryFixture(b => b.AddRegisterMap(mine));

        Assert.Same(mine, fixture.Services.GetRequiredService<IRegisterMapProvider>().Find("acuvim2_standard"));
    }

    [Fact]
    public void AddRegisterMapsFromDirectory_ReadsEveryYamlFile()
    {
        File.WriteAllText(Path.Combine(_folder, "acme.yaml"), """
            register_map:
              name: acme_meter
              description: Acme meter
              scaling:
                energy: 0.01
              registers:
                power: {address: 100, type: float32, unit: W}
                energy: {address: 102, type: uint32, scale: energy, unit: kWh}
            """);
        File.WriteAllText(Path.Combine(_folder, "zeta.yml"), "register_map:\n  name: zeta_bess\n  registers:\n    soc: 7\n");
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "not a map");
        using var fixture = new RegistryFixture(b => b.AddRegisterMapsFromDirectory(_folder));
        var maps = fixture.Services.GetRequiredService<IRegisterMapProvider>();

        var acme = maps.Find("acme_meter")!;

        Assert.Equal("Acme meter", acme.Description);
        Assert.Equal(0.01, acme.Scaling["energy"]);
        Assert.Equal(
            new RegisterDefinition { Name = "energy", Address = 102, DataType = RegisterDataType.UInt32, Count = 2, ScaleKey = "energy", Unit = "kWh" },
            acme.Find("energy"));
        Assert.Equal(7, maps.Find("zeta_bess")!.Find("soc")!.Address);
        Assert.Equal(["acme_meter", "acuvim2_standard", "powerpack_bess", "zeta_bess"], maps.Names);
    }

    [Fact]
    public void AddRegisterMapsFromDirectory_BadFile_IsRefusedWithItsNameLineAndColumn()
    {
        File.WriteAllText(Path.Combine(_folder, "broken.yaml"), "register_map:\n  name: broken\n  registers:\n    power: {address: 100, type: float33}\n");
        using var fixture = new RegistryFixture(b => b.AddRegisterMapsFromDirectory(_folder));

        var error = Assert.Throws<OptionsValidationException>(() => fixture.Services.GetRequiredService<IRegisterMapProvider>());

        Assert.Contains(error.Failures, f => f.Contains("broken.yaml(4,33): register_map.registers.power.type: must be one of", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => fixture.Registry);
    }

    [Fact]
    public async Task AddRegisterMapsFromDirectory_BadFile_StopsTheHostAtStart()
    {
        File.WriteAllText(Path.Combine(_folder, "broken.yaml"), "register_map:\n  name: broken\n  registers:\n    power: 70000\n");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddFluxDevices().AddRegisterMapsFromDirectory(_folder);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Failures, f => f.Contains("broken.yaml(4,12): register_map.registers.power: must be from 0 to 65535", StringComparison.Ordinal));
    }

    [Fact]
    public void AddRegisterMapsFromDirectory_NameAlsoAddedInCode_IsRefused()
    {
        File.WriteAllText(Path.Combine(_folder, "acme.yaml"), "register_map:\n  name: acme_meter\n  registers:\n    power: 100\n");
        using var fixture = new RegistryFixture(b => b.AddRegisterMap(AcmeMeter).AddRegisterMapsFromDirectory(_folder));

        var error = Assert.Throws<OptionsValidationException>(() => fixture.Services.GetRequiredService<IRegisterMapProvider>());

        Assert.Contains(error.Failures, f => f.Contains("register map 'acme_meter' in '", StringComparison.Ordinal) && f.Contains("acme.yaml' is already defined", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_SameMapTwiceOrAMissingFolder_FailValidation()
    {
        var missing = Path.Combine(_folder, "missing");
        using var fixture = new RegistryFixture(b => b.AddRegisterMap(AcmeMeter).AddRegisterMap(AcmeMeter).AddRegisterMapsFromDirectory(missing));

        var error = Assert.Throws<OptionsValidationException>(() => fixture.Registry);

        Assert.Contains(error.Failures, f => f.Contains("register map 'acme_meter' is added twice", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains($"the folder '{missing}' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void AddRegisterMapProvider_IsAskedAfterCodeAndFoldersAndBeforeTheBuiltIns()
    {
        using var fixture = new RegistryFixture(b => b.AddRegisterMap(AcmeMeter).AddRegisterMapProvider<VendorCatalogue>().AddRegisterMapProvider<VendorCatalogue>());
        var maps = fixture.Services.GetRequiredService<IRegisterMapProvider>();

        Assert.Equal("vendor", maps.Find("vendor_bess")!.Description);
        Assert.Same(AcmeMeter, maps.Find("acme_meter"));
        Assert.Equal("vendor", maps.Find("powerpack_bess")!.Description);
        Assert.Equal(["acme_meter", "acuvim2_standard", "powerpack_bess", "vendor_bess"], maps.Names);
        Assert.Single(fixture.Services.GetServices<VendorCatalogue>());
    }

    /// <summary>A host's catalogue: its own map, a map shadowing a built-in, and one shadowed by code.</summary>
    private sealed class VendorCatalogue : IRegisterMapProvider
    {
        private readonly RegisterMap[] _maps =
        [
            new("vendor_bess", [new RegisterDefinition { Name = "soc", Address = 1 }], description: "vendor"),
            new("powerpack_bess", [new RegisterDefinition { Name = "soc", Address = 1 }], description: "vendor"),
            new("acme_meter", [new RegisterDefinition { Name = "soc", Address = 1 }], description: "vendor"),
        ];

        public IReadOnlyCollection<string> Names => [.. _maps.Select(m => m.Name)];

        public RegisterMap? Find(string name) => _maps.FirstOrDefault(m => m.Name == name);
    }
}
