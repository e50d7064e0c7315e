using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Tests.Devices;

/// <summary>Bad input gets a typed error naming the field, and leaves the store unchanged.</summary>
public sealed class DeviceValidationTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<string, string, string> InvalidBessFields => new()
    {
        { "capacity_kwh", "0", "must be greater than 0" },
        { "capacity_kwh", "-5", "must be greater than 0" },
        { "capacity_kwh", "\"500\"", "must be a number, not a string" },
        { "max_power_kw", "0", "must be greater than 0" },
        { "max_power_kw", "null", "is required and must not be null" },
        { "efficiency", "0", "must be greater than 0 and at most 1" },
        { "efficiency", "1.01", "must be greater than 0 and at most 1" },
        { "efficiency", "-0.5", "must be greater than 0 and at most 1" },
        { "modbus_address", "0", "must be a whole number from 1 to 247" },
        { "modbus_address", "248", "must be a whole number from 1 to 247" },
        { "modbus_address", "1.5", "must be a whole number from 1 to 247" },
        { "modbus_address", "\"1\"", "must be a whole number from 1 to 247" },
        { "manufacturer", "\"\"", "must not be empty" },
        { "manufacturer", "\"   \"", "must not be empty" },
        { "model", "42", "must be a string, not a number" },
        { "firmware_version", "2", "must be a string, not a number" },
    };

    [Theory]
    [MemberData(nameof(InvalidBessFields))]
    public async Task RegisterAsync_InvalidBessField_ThrowsNamingTheFieldAndStoresNothing(string key, string json, string reason)
    {
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With(key, DeviceMetadata.Parse($$"""{"v": {{json}}}""")["v"]);
        var before = await _fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Bess() with { Metadata = metadata }).AsTask());

        var only = Assert.Single(error.Errors);
        Assert.Equal($"metadata.{key}", only.Field);
        Assert.StartsWith(reason, only.Message, StringComparison.Ordinal);
        Assert.Contains($"metadata.{key}", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("manufacturer")]
    [InlineData("model")]
    [InlineData("capacity_kwh")]
    [InlineData("max_power_kw")]
    [InlineData("efficiency")]
    [InlineData("modbus_address")]
    public async Task RegisterAsync_MissingBessField_ThrowsRequired(string key)
    {
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).Without(key);

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Bess() with { Metadata = metadata }).AsTask());

        Assert.Equal(new DeviceValidationError { Field = $"metadata.{key}", Message = "is required" }, Assert.Single(error.Errors));
    }

    public static TheoryData<string, string, string> InvalidMeterFields => new()
    {
        { "meter_type", "\"solar\"", "must be one of grid, generation, load" },
        { "meter_type", "\"Grid\"", "must be one of grid, generation, load" },
        { "phases", "0", "must be a whole number from 1 to 3" },
        { "phases", "4", "must be a whole number from 1 to 3" },
        { "ct_ratio", "0", "must be greater than 0" },
        { "vt_ratio", "-1", "must be greater than 0" },
        { "register_map", "\"\"", "must not be empty" },
        { "modbus_address", "300", "must be a whole number from 1 to 247" },
    };

    [Theory]
    [MemberData(nameof(InvalidMeterFields))]
    public async Task RegisterAsync_InvalidMeterField_ThrowsNamingTheField(string key, string json, string reason)
    {
        var metadata = DeviceMetadata.Parse(SpecSamples.MeterMetadataJson).With(key, DeviceMetadata.Parse($$"""{"v": {{json}}}""")["v"]);

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Meter() with { Metadata = metadata }).AsTask());

        var only = Assert.Single(error.Errors);
        Assert.Equal($"metadata.{key}", only.Field);
        Assert.StartsWith(reason, only.Message, StringComparison.Ordinal);
        Assert.Empty(await _fixture.Registry.ListAsync());
    }

    [Fact]
    public async Task RegisterAsync_ManyBadFields_ReportsEveryOneAtOnce()
    {
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var bad = new NewDevice
        {
            Name = "WLCE-BESS-01",
            Type = DeviceTypes.Bess,
            Site = " ",
            Metadata = DeviceMetadata.Parse("""{"manufacturer":"","capacity_kwh":0,"max_power_kw":-1,"efficiency":2,"modbus_address":0}"""),
        };
        var before = await _fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(bad).AsTask());

        Assert.Equal(
            ["site", "metadata.manufacturer", "metadata.model", "metadata.capacity_kwh", "metadata.max_power_kw", "metadata.efficiency", "metadata.modbus_address", "name"],
            error.Errors.Select(e => e.Field));
        Assert.IsNotType<AlreadyExistsException>(error);
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task RegisterAsync_DuplicateName_ThrowsAlreadyExistsNamingTheName()
    {
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var before = await _fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-01")).AsTask());

        Assert.Equal("name", error.Field);
        Assert.Equal("WLCE-BESS-01", error.Value);
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }

    [Fact]
    public async Task RegisterAsync_DuplicateId_ThrowsAlreadyExistsNamingTheId()
    {
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess());

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Meter() with { Id = SpecSamples.BessId }).AsTask());

        Assert.Equal("id", error.Field);
        Assert.Single(await _fixture.Registry.ListAsync());
    }

    [Theory]
    [InlineData("inverter", "'inverter' is not a registered device type; registered types are bess, meter")]
    [InlineData("", "is required")]
    public async Task RegisterAsync_UnknownType_ThrowsNamingTheType(string type, string message)
    {
        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Bess() with { Type = type }).AsTask());

        Assert.Equal(new DeviceValidationError { Field = "type", Message = message }, Assert.Single(error.Errors));
        Assert.Empty(await _fixture.Registry.ListAsync());
    }

    [Theory]
    [InlineData("name", "", "is required and must not be blank")]
    [InlineData("name", " WLCE", "must not start or end with white space")]
    [InlineData("name", "A\tB", "must not contain control characters")]
    [InlineData("site", "", "is required and must not be blank")]
    [InlineData("site", "ALL", "'ALL' is reserved for groups that span every site")]
    public async Task RegisterAsync_BadNameOrSite_ThrowsNamingTheField(string field, string value, string message)
    {
        var device = field == "name" ? SpecSamples.Bess() with { Name = value } : SpecSamples.Bess() with { Site = value };

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(device).AsTask());

        Assert.Equal(new DeviceValidationError { Field = field, Message = message }, Assert.Single(error.Errors));
    }

    [Fact]
    public async Task RegisterAsync_NameWithUnpairedSurrogate_ThrowsNamingTheName()
    {
        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Bess() with { Name = "WLCE-\ud800" }).AsTask());

        Assert.Equal(new DeviceValidationError { Field = "name", Message = "is not valid Unicode text (it holds an unpaired UTF-16 surrogate)" }, Assert.Single(error.Errors));
    }

    [Fact]
    public async Task RegisterAsync_MetadataOverTheSizeLimit_ThrowsNamingMetadata()
    {
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With("blob", new string('x', 70_000));

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.RegisterAsync(SpecSamples.Bess() with { Metadata = metadata }).AsTask());

        var only = Assert.Single(error.Errors);
        Assert.Equal("metadata", only.Field);
        Assert.Contains("the limit is 65536", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterAsync_CustomTypeRegisteredOnTheBuilder_IsValidatedByItsOwnRules()
    {
        using var fixture = new RegistryFixture(builder => builder.AddDeviceType(new DeviceTypeDefinition("inverter", m =>
        {
            m.RequireString("manufacturer");
            m.RequireNumber("rated_power_kw", minExclusive: 0);
            m.OptionalInteger("strings", 1, 64);
        })));

        var ok = await fixture.Registry.RegisterAsync(new NewDevice
        {
            Name = "WLCE-PV-INV-01",
            Type = "inverter",
            Site = "WLCE",
            Metadata = DeviceMetadata.Parse("""{"manufacturer":"SolarCo","rated_power_kw":60,"ip_address":"127.0.0.20"}"""),
        });
        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => fixture.Registry.RegisterAsync(new NewDevice
        {
            Name = "WLCE-PV-INV-02",
            Type = "inverter",
            Site = "WLCE",
            Metadata = DeviceMetadata.Parse("""{"rated_power_kw":0,"strings":65}"""),
        }).AsTask());

        Assert.Equal("inverter", ok.Type);
        Assert.Equal(["bess", "meter", "inverter"], fixture.Registry.DeviceTypes.Select(t => t.Name));
        Assert.Equal(["metadata.manufacturer", "metadata.rated_power_kw", "metadata.strings"], error.Errors.Select(e => e.Field));
    }

    [Fact]
    public void DeviceTypeDefinition_InvalidName_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new DeviceTypeDefinition("Inverter", _ => { }));
        Assert.Throws<ArgumentException>(() => new DeviceTypeDefinition("1st", _ => { }));
        Assert.Throws<ArgumentException>(() => new DeviceTypeDefinition(new string('a', 33), _ => { }));
        Assert.Throws<ArgumentException>(() => new DeviceTypeDefinition("inverter\n", _ => { }));
    }

    [Fact]
    public async Task UpdateAsync_InvalidMetadata_ThrowsAndLeavesTheDeviceAsItWas()
    {
        var device = await _fixture.Registry.RegisterAsync(SpecSamples.Bess());
        var before = await _fixture.SnapshotAsync();

        var error = await Assert.ThrowsAsync<DeviceValidationException>(() => _fixture.Registry.UpdateAsync(
            device.Id,
            device.Version,
            new DeviceUpdate { Metadata = device.Metadata.With("efficiency", 1.5).With("capacity_kwh", -1.0) }).AsTask());

        Assert.Equal(["metadata.capacity_kwh", "metadata.efficiency"], error.Errors.Select(e => e.Field));
        Assert.Equal(before, await _fixture.SnapshotAsync());
    }
}
