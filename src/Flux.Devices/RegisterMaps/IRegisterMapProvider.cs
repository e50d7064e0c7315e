namespace Flux.Devices.RegisterMaps;

/// <summary>
/// Finds register maps by name: the meter metadata's <c>register_map: "acuvim2_standard"</c> and a template's
/// <c>register_map</c> resolve through it. The container's provider looks in maps added in code
/// (<c>AddRegisterMap</c>), in YAML files (<c>AddRegisterMapsFromDirectory</c>), in providers a host adds
/// (<c>AddRegisterMapProvider</c>) and in the built-ins (<see cref="BuiltInRegisterMaps"/>), in that order.
/// </summary>
public interface IRegisterMapProvider
{
    /// <summary>Finds a map by name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The map, or <see langword="null"/> when no map has the name.</returns>
    RegisterMap? Find(string name);

    /// <summary>Gets the names of every map the provider knows.</summary>
    IReadOnlyCollection<string> Names { get; }
}
