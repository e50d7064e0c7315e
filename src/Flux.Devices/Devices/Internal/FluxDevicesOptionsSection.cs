using Microsoft.Extensions.Configuration;

namespace Flux.Devices.Internal;

/// <summary>
/// The keys of <see cref="FluxDevicesOptions"/> that configuration can hold (device types and register maps are code,
/// added on the builder). Bound by the binder's source generator, then applied over the options.
/// </summary>
internal sealed class FluxDevicesOptionsSection
{
    public int? MaxMetadataBytes { get; set; }

    public int? TriggerConflictRetries { get; set; }

    public List<string> RegisterMapDirectories { get; } = [];

    /// <summary>Reads <paramref name="configuration"/>; a key not listed here, or a value that does not convert, throws naming it.</summary>
    public static FluxDevicesOptionsSection Read(IConfiguration configuration)
    {
        var section = new FluxDevicesOptionsSection();
        try
        {
            configuration.Bind(section, static binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            var path = (configuration as IConfigurationSection)?.Path;
            throw new InvalidOperationException(
                $"The configuration of {nameof(FluxDevicesOptions)}{(path is null ? string.Empty : $" (section '{path}')")} is refused: {ex.Message}", ex);
        }

        return section;
    }

    /// <summary>Sets the keys present over <paramref name="options"/>; folders are made absolute, as <c>AddRegisterMapsFromDirectory</c> does.</summary>
    public void ApplyTo(FluxDevicesOptions options)
    {
        options.MaxMetadataBytes = MaxMetadataBytes ?? options.MaxMetadataBytes;
        options.TriggerConflictRetries = TriggerConflictRetries ?? options.TriggerConflictRetries;
        foreach (var directory in RegisterMapDirectories)
        {
            options.RegisterMapDirectories.Add(string.IsNullOrWhiteSpace(directory) ? directory : Path.GetFullPath(directory));
        }
    }
}
