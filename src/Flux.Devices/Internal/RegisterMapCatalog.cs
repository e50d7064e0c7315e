using Flux.Devices.RegisterMaps;
using Flux.Devices.Templates;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Internal;

/// <summary>
/// The container's <see cref="IRegisterMapProvider"/>: maps added in code, then maps read from the configured
/// folders, then the providers a host added, then the built-ins. The first three may not define a name twice; each
/// may shadow a built-in (a host that ships its own <c>acuvim2_standard</c> gets it).
/// </summary>
internal sealed class RegisterMapCatalog : IRegisterMapProvider
{
    private readonly Dictionary<string, RegisterMap> _maps = new(StringComparer.Ordinal);
    private readonly IRegisterMapProvider[] _providers;

    public RegisterMapCatalog(IOptions<FluxDevicesOptions> options, IEnumerable<RegisterMapSource> sources)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sources);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var map in options.Value.RegisterMaps)
        {
            Add(map, "code", origin);
        }

        foreach (var directory in options.Value.RegisterMapDirectories)
        {
            foreach (var (map, file) in LoadDirectory(directory))
            {
                Add(map, file, origin);
            }
        }

        _providers = [.. sources.Select(s => s.Provider)];
        var names = new SortedSet<string>(_maps.Keys, StringComparer.Ordinal);
        foreach (var provider in _providers)
        {
            names.UnionWith(provider.Names);
        }

        names.UnionWith(BuiltInRegisterMaps.All.Select(m => m.Name));
        Names = [.. names];
    }

    public IReadOnlyCollection<string> Names { get; }

    public RegisterMap? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_maps.TryGetValue(name, out var map))
        {
            return map;
        }

        foreach (var provider in _providers)
        {
            if (provider.Find(name) is { } found)
            {
                return found;
            }
        }

        return BuiltInRegisterMaps.All.FirstOrDefault(m => m.Name == name);
    }

    /// <summary>Reads every <c>*.yaml</c> and <c>*.yml</c> file of a folder (not its subfolders) as a register map, in name order.</summary>
    internal static IEnumerable<(RegisterMap Map, string File)> LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The register map folder '{directory}' does not exist.");
        }

        var files = Directory.EnumerateFiles(directory, "*.yaml").Concat(Directory.EnumerateFiles(directory, "*.yml")).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            yield return (DeviceTemplateLoader.LoadRegisterMap(DeviceTemplateLoader.ReadFile(file), Path.GetFileName(file)), file);
        }
    }

    private void Add(RegisterMap map, string from, Dictionary<string, string> origin)
    {
        if (!_maps.TryAdd(map.Name, map))
        {
            throw new InvalidOperationException($"Register map '{map.Name}' is defined twice: by {origin[map.Name]} and by {from}.");
        }

        origin[map.Name] = from;
    }
}

/// <summary>A host's <see cref="IRegisterMapProvider"/>, wrapped so that the container's own provider can find it.</summary>
/// <param name="provider">The host's provider.</param>
internal abstract class RegisterMapSource(IRegisterMapProvider provider)
{
    public IRegisterMapProvider Provider { get; } = provider;
}

/// <summary>The wrapper of one provider type, so that adding the type twice adds it once.</summary>
/// <typeparam name="TProvider">The provider.</typeparam>
/// <param name="provider">The host's provider, from the container.</param>
internal sealed class RegisterMapSource<TProvider>(TProvider provider) : RegisterMapSource(provider)
    where TProvider : IRegisterMapProvider;
