using Flux.Devices.RegisterMaps.Internal;
using Microsoft.Extensions.Options;

namespace Flux.Devices.Internal;

/// <summary>Checks the attribute rules on <see cref="FluxDevicesOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class FluxDevicesOptionsValidator : IValidateOptions<FluxDevicesOptions>;

/// <summary>Checks the rules no attribute can express.</summary>
internal sealed class FluxDevicesOptionsCustomValidator(RegisterMapFolders folders) : IValidateOptions<FluxDevicesOptions>
{
    public ValidateOptionsResult Validate(string? name, FluxDevicesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var definition in options.DeviceTypes)
        {
            if (definition is null)
            {
                builder.AddError("must not contain null", nameof(FluxDevicesOptions.DeviceTypes));
            }
            else if (!seen.Add(definition.Name))
            {
                builder.AddError($"device type '{definition.Name}' is defined twice; remove the old definition before adding a new one", nameof(FluxDevicesOptions.DeviceTypes));
            }
        }

        var maps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var map in options.RegisterMaps)
        {
            if (map is null)
            {
                builder.AddError("must not contain null", nameof(FluxDevicesOptions.RegisterMaps));
            }
            else if (!maps.Add(map.Name))
            {
                builder.AddError($"register map '{map.Name}' is added twice", nameof(FluxDevicesOptions.RegisterMaps));
            }
        }

        foreach (var directory in options.RegisterMapDirectories)
        {
            if (string.IsNullOrWhiteSpace(directory))
            {
                builder.AddError("must not contain a blank path", nameof(FluxDevicesOptions.RegisterMapDirectories));
            }
            else if (!Directory.Exists(directory))
            {
                builder.AddError($"the folder '{directory}' does not exist", nameof(FluxDevicesOptions.RegisterMapDirectories));
            }
            else
            {
                CheckDirectory(directory, maps, builder);
            }
        }

        return builder.Build();
    }

    /// <summary>Reads a folder's maps at start, so that a bad file or a name defined twice stops the host with the file, line and column.</summary>
    private void CheckDirectory(string directory, HashSet<string> maps, ValidateOptionsResultBuilder builder)
    {
        try
        {
            foreach (var (map, file) in folders.Load(directory))
            {
                if (!maps.Add(map.Name))
                {
                    builder.AddError($"register map '{map.Name}' in '{file}' is already defined", nameof(FluxDevicesOptions.RegisterMapDirectories));
                }
            }
        }
        catch (Templates.DeviceTemplateException ex)
        {
            builder.AddError($"'{directory}': {ex.Message}", nameof(FluxDevicesOptions.RegisterMapDirectories));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            builder.AddError($"'{directory}' cannot be read: {ex.Message}", nameof(FluxDevicesOptions.RegisterMapDirectories));
        }
    }
}
