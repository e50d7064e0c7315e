using Microsoft.Extensions.Options;

namespace Flux.Devices.Internal;

/// <summary>The device types the registry accepts, by name, taken from the validated options.</summary>
internal sealed class DeviceTypeCatalog
{
    private readonly Dictionary<string, DeviceTypeDefinition> _types;

    public DeviceTypeCatalog(IOptions<FluxDevicesOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _types = options.Value.DeviceTypes.ToDictionary(t => t.Name, StringComparer.Ordinal);
        All = [.. options.Value.DeviceTypes];
    }

    public IReadOnlyList<DeviceTypeDefinition> All { get; }

    public DeviceTypeDefinition? Find(string name) => _types.GetValueOrDefault(name);
}
