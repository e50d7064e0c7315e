using System.ComponentModel.DataAnnotations;
using Flux.Devices.RegisterMaps;

namespace Flux.Devices;

/// <summary>Options of the device registry, set through <c>AddFluxDevices(options => ...)</c> or bound from configuration with <c>AddFluxDevices(section)</c>, and validated at start.</summary>
public sealed class FluxDevicesOptions
{
    /// <summary>Gets the device types the registry accepts.</summary>
    /// <value>The default value holds <see cref="DeviceTypeDefinition.Bess"/> and <see cref="DeviceTypeDefinition.Meter"/>.</value>
    /// <remarks>Names must be unique; to replace a built-in type's rules, remove it first.</remarks>
    public IList<DeviceTypeDefinition> DeviceTypes { get; } = [DeviceTypeDefinition.Bess, DeviceTypeDefinition.Meter];

    /// <summary>Gets or sets the largest metadata object accepted, in bytes of compact UTF-8 JSON.</summary>
    /// <value>The default value is 65,536 (64 KiB). It must be from 1,024 to 16,777,216.</value>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMetadataBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Gets or sets how many times a trigger fired without an expected version is re-evaluated when the device
    /// changes underneath it. Each attempt reads the device again and re-checks that the trigger is permitted.
    /// </summary>
    /// <value>The default value is 8. It must be from 1 to 100.</value>
    [Range(1, 100)]
    public int TriggerConflictRetries { get; set; } = 8;

    /// <summary>
    /// Gets the register maps added in code, found by name like the built-in ones (and shadowing a built-in of the
    /// same name). Add them with <c>AddRegisterMap</c> on the <c>AddFluxDevices</c> builder.
    /// </summary>
    /// <remarks>Names must be unique across these maps and the maps read from <see cref="RegisterMapDirectories"/>.</remarks>
    public IList<RegisterMap> RegisterMaps { get; } = [];

    /// <summary>
    /// Gets the folders whose <c>*.yaml</c> and <c>*.yml</c> files are read as register maps (keys under
    /// <c>register_map</c>: <c>name</c>, <c>description</c>, <c>scaling</c>, <c>registers</c>). They are read when the
    /// options are validated (at start with a host) and again by the register map provider; a missing folder, a
    /// refused file (with its name, line and column) or a map name defined twice fails options validation.
    /// </summary>
    public IList<string> RegisterMapDirectories { get; } = [];
}
