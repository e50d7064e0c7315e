using System.Collections.Concurrent;
using Flux.Devices.Templates;
using Microsoft.Extensions.Options;

namespace Flux.Devices.RegisterMaps.Internal;

/// <summary>
/// The container's <see cref="IRegisterMapProvider"/>: maps added in code, then maps read from the configured
/// folders, then the providers a host added, then the built-ins. Maps from code and folders may not define a name
/// twice (options validation refuses it); each may shadow a built-in (a host that ships its own <c>acuvim2_standard</c> gets it).
/// </summary>
internal sealed class RegisterMapCatalog : IRegisterMapProvider
{
    private readonly Dictionary<string, RegisterMap> _maps = new(StringComparer.Ordinal);
    private readonly IRegisterMapProvider[] _providers;

    /// <remarks>The options are validated before they are read here: names are unique and every folder's files were refused or accepted there.</remarks>
    public RegisterMapCatalog(IOptions<FluxDevicesOptions> options, RegisterMapFolders folders, IEnumerable<RegisterMapSource> sources)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentNullException.ThrowIfNull(sources);
        foreach (var map in options.Value.RegisterMaps)
        {
            _maps.Add(map.Name, map);
        }

        foreach (var directory in options.Value.RegisterMapDirectories)
        {
            foreach (var (map, _) in folders.Load(directory))
            {
                _maps.Add(map.Name, map);
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
}

/// <summary>
/// Reads register map folders once per container: options validation reads them at start (to refuse a bad file
/// there) and the catalog takes the same maps, so no file is read twice.
/// </summary>
internal sealed class RegisterMapFolders
{
    private readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<(RegisterMap Map, string File)>>> _read = new(StringComparer.Ordinal);

    /// <summary>
    /// Gets the maps of every <c>*.yaml</c> and <c>*.yml</c> file of a folder (not its subfolders), in file name order;
    /// a refused file throws <see cref="DeviceTemplateException"/>, the same one every time.
    /// </summary>
    public IReadOnlyList<(RegisterMap Map, string File)> Load(string directory) =>
        _read.GetOrAdd(directory, static d => new(() => Read(d))).Value;

    private static IReadOnlyList<(RegisterMap Map, string File)> Read(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The register map folder '{directory}' does not exist.");
        }

        return [.. Directory.EnumerateFiles(directory, "*.yaml")
            .Concat(Directory.EnumerateFiles(directory, "*.yml"))
            .Order(StringComparer.Ordinal)
            .Select(file => (DeviceTemplateLoader.LoadRegisterMap(DeviceTemplateLoader.ReadFile(file), Path.GetFileName(file)), file))];
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
