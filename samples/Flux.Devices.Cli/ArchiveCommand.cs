using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flux.Devices.Storage;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices archive DEVICE --output FILE.jsonl</c>: a device's record, history, health samples and telemetry
/// (hot and archived) as JSON Lines, one object per line with a <c>kind</c>. Any device, decommissioned or not.
/// </summary>
/// <remarks>
/// The file is written beside its destination under a temporary name and moved into place at the end, so that a failure
/// leaves no half-written file; an existing file is never overwritten.
/// </remarks>
internal static class ArchiveCommand
{
    public static Command Build(Cli cli, Argument<string> device)
    {
        // The command's own --output (a file) hides the global --output (a format) here: the export is JSON Lines always.
        var file = new Option<string>("--output", "-o")
        {
            Description = "The file to write (FILE.jsonl); it must not exist.",
            Required = true,
        };
        var archive = new Command(
            "archive",
            "Export a device's record, history, health samples and telemetry (hot and archived) as JSON Lines, each line with a kind.")
        {
            device,
            file,
        };
        archive.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var path = Path.GetFullPath(result.GetValue(file)!);
            var shown = result.GetValue(file)!;
            if (File.Exists(path) || Directory.Exists(path))
            {
                throw new UsageException($"--output {shown}: the file exists; the archive never overwrites one (remove it or give another name).");
            }

            var folder = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(folder))
            {
                throw new UsageException($"--output {shown}: no folder {folder} to write it in.");
            }

            await using var registry = await cli.OpenAsync(result, token);
            var found = await registry.FindAsync(result.GetValue(device)!, token);
            var store = registry.Get<IDeviceStore>();
            var archived = store as IDeviceArchiveStore;
            var history = await registry.Registry.GetHistoryAsync(found.Id, token);
            var health = await store.GetHealthAsync(found.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, token);
            var telemetry = await store.GetTelemetryAsync(found.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, token);
            var oldHealth = archived is null ? [] : await archived.GetArchivedHealthAsync(found.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, token);
            var oldTelemetry = archived is null ? [] : await archived.GetArchivedTelemetryAsync(found.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, token);

            var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            try
            {
                var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                await using (stream.ConfigureAwait(false))
                {
                    var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
                    await using (writer.ConfigureAwait(false))
                    {
                        await LineAsync(writer, "device", null, found);
                        foreach (var entry in history)
                        {
                            await LineAsync(writer, "history", null, entry);
                        }

                        // Archived rows first: they are the older ones (a device's rows are archived when it is decommissioned).
                        foreach (var sample in oldHealth)
                        {
                            await LineAsync(writer, "health", true, sample);
                        }

                        foreach (var sample in health)
                        {
                            await LineAsync(writer, "health", false, sample);
                        }

                        foreach (var reading in oldTelemetry)
                        {
                            await LineAsync(writer, "telemetry", true, reading);
                        }

                        foreach (var reading in telemetry)
                        {
                            await LineAsync(writer, "telemetry", false, reading);
                        }
                    }
                }

                File.Move(temporary, path, overwrite: false); // a file made meanwhile is not overwritten either
            }
            finally
            {
                File.Delete(temporary); // nothing after the move; the partial file after a failure
            }

            await cli.Console.Error.WriteLineAsync(
                $"{found.Name}: {1 + history.Count + health.Count + oldHealth.Count + telemetry.Count + oldTelemetry.Count} lines to {shown}: " +
                $"1 device, {history.Count} history, {health.Count + oldHealth.Count} health ({oldHealth.Count} archived), {telemetry.Count + oldTelemetry.Count} telemetry ({oldTelemetry.Count} archived).");
            return FluxCli.Ok;
        }, token));
        return archive;
    }

    /// <summary>
    /// One line: <c>kind</c> (and <c>archived</c> for a time series) first, then the value's own fields; a field of the
    /// same name is prefixed with the kind (a history entry's own kind is <c>history_kind</c>).
    /// </summary>
    private static Task LineAsync<T>(StreamWriter writer, string kind, bool? archived, T value)
    {
        var line = new JsonObject { ["kind"] = kind };
        if (archived is { } isArchived)
        {
            line["archived"] = isArchived;
        }

        foreach (var (name, field) in JsonSerializer.SerializeToNode(value, CliOutput.Compact)!.AsObject())
        {
            line[name is "kind" or "archived" ? $"{kind}_{name}" : name] = field?.DeepClone();
        }

        return writer.WriteLineAsync(line.ToJsonString(CliOutput.Compact));
    }
}
