namespace Flux.Devices.Testing.Internal;

/// <summary>The spec's own examples (device-registry.md), verbatim: the devices the contracts register.</summary>
internal static class ContractSamples
{
    /// <summary>The id of the spec's example BESS.</summary>
    public static readonly Guid BessId = Guid.Parse("11111111-1111-1111-1111-111111111111");

    /// <summary>The id of the spec's example grid meter.</summary>
    public static readonly Guid MeterId = Guid.Parse("22222222-2222-2222-2222-222222222222");

    /// <summary>The metadata of WLCE-BESS-01, as the spec's INSERT writes it.</summary>
    public const string BessMetadataJson = """
        {
        "manufacturer": "PowerPack",
        "model": "PP-500",
        "capacity_kwh": 500,
        "max_power_kw": 100,
        "efficiency": 0.92,
        "modbus_address": 1,
        "firmware_version": "2.1.3"
        }
        """;

    /// <summary>The metadata of WLCE-GRID-METER, as the spec's INSERT writes it.</summary>
    public const string MeterMetadataJson = """
        {
        "manufacturer": "Accuenergy",
        "model": "Acuvim-II",
        "meter_type": "grid",
        "phases": 3,
        "ct_ratio": 100,
        "vt_ratio": 1,
        "modbus_address": 2,
        "register_map": "acuvim2_standard"
        }
        """;

    /// <summary>The spec's BESS registration.</summary>
    public static NewDevice Bess() => new()
    {
        Id = BessId,
        Name = "WLCE-BESS-01",
        Type = DeviceTypes.Bess,
        Site = "WLCE",
        Metadata = DeviceMetadata.Parse(BessMetadataJson),
        Active = true,
    };

    /// <summary>The spec's meter registration.</summary>
    public static NewDevice Meter() => new()
    {
        Id = MeterId,
        Name = "WLCE-GRID-METER",
        Type = DeviceTypes.Meter,
        Site = "WLCE",
        Metadata = DeviceMetadata.Parse(MeterMetadataJson),
        Active = true,
    };

    /// <summary>A valid BESS registration with its own name, site and unit id.</summary>
    public static NewDevice Bess(string name, string site = "WLCE", int modbusAddress = 1) => new()
    {
        Name = name,
        Type = DeviceTypes.Bess,
        Site = site,
        Metadata = DeviceMetadata.Parse(BessMetadataJson).With("modbus_address", (long)modbusAddress),
    };

    /// <summary>A valid meter registration with its own name, site and unit id.</summary>
    public static NewDevice Meter(string name, string site = "WLCE", int modbusAddress = 2) => new()
    {
        Name = name,
        Type = DeviceTypes.Meter,
        Site = site,
        Metadata = DeviceMetadata.Parse(MeterMetadataJson).With("modbus_address", (long)modbusAddress),
    };
}
