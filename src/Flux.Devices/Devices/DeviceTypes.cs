namespace Flux.Devices;

/// <summary>The names of the built-in device types, as they appear in the <c>type</c> column.</summary>
public static class DeviceTypes
{
    /// <summary>A battery energy storage system; metadata as in <see cref="BessMetadata"/>.</summary>
    public const string Bess = "bess";

    /// <summary>A power meter; metadata as in <see cref="MeterMetadata"/>.</summary>
    public const string Meter = "meter";
}
