using System.Globalization;
using Flux.Devices.Lifecycle;

namespace Flux.Devices.Cli;

/// <summary>The human forms of devices and history, shared by the commands and the demo.</summary>
internal static class Tables
{
    public static async Task WriteDevicesAsync(TextWriter output, IReadOnlyList<Device> devices, string indent = "", bool withMetadata = false)
    {
        await output.WriteLineAsync($"{indent}{"NAME",-28} {"TYPE",-6} {"SITE",-5} {"STATE",-14} {"ACTIVE",-6} VERSION");
        foreach (var d in devices)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{indent}{d.Name,-28} {d.Type,-6} {d.Site,-5} {d.State,-14} {d.Active,-6} {d.Version}"));
            if (withMetadata)
            {
                await output.WriteLineAsync($"{indent}  id {d.Id}");
                await output.WriteLineAsync($"{indent}  metadata {d.Metadata}");
            }
        }
    }

    public static async Task WriteHistoryAsync(TextWriter output, IReadOnlyList<DeviceHistoryEntry> entries, string indent = "")
    {
        foreach (var entry in entries)
        {
            var move = entry.FromState is { } from && from != entry.ToState ? $"{from} -> {entry.ToState}" : $"{entry.ToState}";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{indent}v{entry.Version,-3} {entry.Timestamp:yyyy-MM-dd HH:mm:ss} {entry.Kind,-12} {move,-26} {entry.Trigger?.ToString() ?? string.Empty,-16} {entry.Actor,-14} {entry.Reason}"));
        }
    }
}
