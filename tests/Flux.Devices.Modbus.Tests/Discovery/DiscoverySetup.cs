using Flux.Devices.Discovery;
using Flux.Devices.Templates;

namespace Flux.Devices.Modbus.Tests.Discovery;

/// <summary>What the discovery tests share: the site's registration defaults and a scan of one simulated PowerPack.</summary>
internal static class DiscoverySetup
{
    /// <summary>Registration at site WLCE, with the defaults a found BESS or meter needs to be valid.</summary>
    public static AutoRegistrationOptions Registration() => new()
    {
        Site = "WLCE",
        Defaults = new Dictionary<string, DeviceMetadata>
        {
            ["bess"] = DeviceMetadata.Parse("""{"capacity_kwh": 210, "max_power_kw": 100, "efficiency": 0.92, "model": "unknown"}"""),
            ["meter"] = DeviceMetadata.Parse("""{"manufacturer": "unknown", "model": "unknown", "meter_type": "grid", "phases": 3, "ct_ratio": 1, "vt_ratio": 1, "register_map": "acuvim2_standard"}"""),
        },
    };

    /// <summary>A scan of unit 1 on one port of 127.0.0.1 with the given template, with 30 s margins for a busy machine.</summary>
    public static DeviceScanOptions OnePort(int port, DeviceTemplate template) => new()
    {
        Hosts = HostSet.Parse("127.0.0.1/32"),
        Ports = [port],
        UnitIds = [1],
        ConnectTimeout = TimeSpan.FromSeconds(30),
        RequestTimeout = TimeSpan.FromSeconds(30),
        Templates = [template],
    };
}
