using Flux.Devices.RegisterMaps;

namespace Flux.Devices.Tests.RegisterMaps;

public sealed class RegisterMapTests
{
    public static TheoryData<string, RegisterDefinition, string> BadPoints => new()
    {
        { "a float32 of one register", new RegisterDefinition { Name = "p", Address = 100, DataType = RegisterDataType.Float32 }, "a float32 takes 2 registers, not 1" },
        { "no registers", new RegisterDefinition { Name = "p", Address = 100, Count = 0 }, "a uint16 takes 1 registers, not 0" },
        { "a string of 126", new RegisterDefinition { Name = "p", Address = 100, DataType = RegisterDataType.String, Count = 126 }, "a string takes 1 to 125 registers, not 126" },
        { "past the last address", new RegisterDefinition { Name = "p", Address = 65535, DataType = RegisterDataType.UInt32, Count = 2 }, "address 65535 and 2 registers run past 65535" },
        { "a typed coil", new RegisterDefinition { Name = "p", Address = 1, Kind = RegisterKind.Coil, DataType = RegisterDataType.Int32, Count = 2 }, "a coil or discrete input is one bit" },
        { "a scaled discrete input", new RegisterDefinition { Name = "p", Address = 1, Kind = RegisterKind.DiscreteInput, Offset = 1 }, "reads as 0 or 1" },
        { "a wide sentinel", new RegisterDefinition { Name = "p", Address = 1, DataType = RegisterDataType.Int32, Count = 2, NotAvailable = 0x1_0000_0000 }, "does not fit a int32 (32 bits)" },
        { "an infinite scale", new RegisterDefinition { Name = "p", Address = 1, Scale = double.PositiveInfinity }, "scale and offset must be finite numbers" },
        { "a writable input", new RegisterDefinition { Name = "p", Address = 1, Kind = RegisterKind.Input, Access = RegisterAccess.ReadWrite }, "read-only" },
        { "a bad name", new RegisterDefinition { Name = "Power", Address = 1 }, "'Power' is not a register name" },
    };

    [Theory]
    [MemberData(nameof(BadPoints))]
    public void Constructor_BadPoint_IsRefusedNamingThePointAndTheRule(string because, RegisterDefinition point, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => new RegisterMap("my_map", [point]));

        Assert.StartsWith($"Point '{point.Name}' of register map 'my_map': ", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), $"{because}: {error.Message}");
    }

    [Fact]
    public void Constructor_OverlappingPoints_AreRefusedAndOtherTablesMayShareAddresses()
    {
        RegisterDefinition soe = new() { Name = "soe", Address = 2026, DataType = RegisterDataType.UInt32, Count = 2 };

        var error = Assert.Throws<ArgumentException>(() => new RegisterMap("m", [soe, new RegisterDefinition { Name = "x", Address = 2027 }]));
        var shared = new RegisterMap("m", [soe, new RegisterDefinition { Name = "x", Address = 2027, Kind = RegisterKind.Input }]);

        Assert.Contains("Points 'soe' and 'x' of register map 'm' overlap", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, shared.Registers.Count);
    }

    [Fact]
    public void Constructor_ScaleKeyWithoutItsFactor_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new RegisterMap("m", [new RegisterDefinition { Name = "e", Address = 1, ScaleKey = "energy" }]));

        Assert.Contains("scales by 'energy', which its scaling block does not define", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInProvider_FindsTheBuiltInsByExactName()
    {
        Assert.Equal(["acuvim2_standard", "powerpack_bess"], BuiltInRegisterMaps.Provider.Names);
        Assert.Same(BuiltInRegisterMaps.PowerPackBess, BuiltInRegisterMaps.Provider.Find("powerpack_bess"));
        Assert.Null(BuiltInRegisterMaps.Provider.Find("PowerPack_BESS"));
    }

    [Fact]
    public void BuiltInMaps_AreValid()
    {
        Assert.All(BuiltInRegisterMaps.All, map => Assert.Null(RegisterMap.FindOverlap(map.Registers)));
        Assert.All(BuiltInRegisterMaps.All.SelectMany(m => m.Registers), r => Assert.Null(RegisterDefinition.Problem(r)));
        Assert.Equal(["powerpack_bess", "acuvim2_standard"], BuiltInRegisterMaps.All.Select(m => m.Name));
    }
}
