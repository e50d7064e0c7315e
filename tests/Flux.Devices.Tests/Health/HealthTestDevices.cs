using Flux.Devices.TestUtilities;

namespace Flux.Devices.Tests.Health;

/// <summary>Devices for the health parts' tests: a BESS at a loopback address, with the poll configuration a template would deploy.</summary>
internal static class HealthTestDevices
{
    public const string Host = "127.0.0.7";
    public const int Port = 1502;

    /// <summary>A device (not stored) with its own id.</summary>
    public static Device Device(string name = "WLCE-BESS-01", DeviceState state = DeviceState.Active, long version = 1, string? interval = null, string? timeout = null, int? retries = null, string? registers = null) => new()
    {
        Id = Guid.NewGuid(),
        Name = name,
        Type = DeviceTypes.Bess,
        Site = "WLCE",
        State = state,
        Version = version,
        Metadata = Metadata(interval, timeout, retries, registers),
    };

    /// <summary>A registration at <see cref="Host"/>:<see cref="Port"/>, with a configuration when any part of one is given.</summary>
    public static NewDevice Registration(string name, byte unitId = 1, string? interval = null) =>
        SpecSamples.Bess(name) with { Metadata = Metadata(interval, null, null, registers: null).With("modbus_address", (long)unitId) };

    public static DeviceMetadata Metadata(string? interval, string? timeout, int? retries, string? registers)
    {
        var metadata = DeviceMetadata.Parse(SpecSamples.BessMetadataJson).With("ip_address", Host).With("port", (long)Port);
        if (interval is null && timeout is null && retries is null && registers is null)
        {
            return metadata;
        }

        var config = DeviceMetadata.Parse($$"""{"template": "hand_made", "registers": {{registers ?? "{}"}}}""");
        config = interval is null ? config : config.With("polling_interval", interval);
        config = timeout is null ? config : config.With("timeout", timeout);
        config = retries is null ? config : config.With("retry_count", (long)retries);
        return metadata.With("config", config);
    }
}
