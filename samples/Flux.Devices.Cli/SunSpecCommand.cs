using System.CommandLine;
using System.Globalization;
using Flux.Devices.SunSpec;
using Flux.Devices.Transport;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices sunspec DEVICE [--record] [--actor NAME]</c>: walks the device's SunSpec model chain now, at the
/// address its metadata names, and prints one row per model (id, name and label from the shipped model definitions,
/// address, length). Read-only unless <c>--record</c>, which stores the chain in the device's metadata as discovery does
/// (<see cref="SunSpecChain.AddTo"/>: <c>sunspec_base</c>, <c>sunspec_models</c>, and <c>sunspec_walk</c> for a chain
/// cut short). Exit code 1 when the device does not answer or has no "SunS" marker, or when the chain was cut short (the
/// models before the cut are printed, and recorded with <c>--record</c>). Only the library's public API: the walk is
/// <see cref="SunSpecChain.ReadAsync"/>.
/// </summary>
internal static class SunSpecCommand
{
    public static Command Build(Cli cli, Argument<string> device)
    {
        var record = new Option<bool>("--record") { Description = "Store the chain in the device's metadata (sunspec_base, sunspec_models), as discovery does; without it, nothing is written." };
        var actor = new Option<string?>("--actor") { Description = "Who records it, for the history (default: $USER, else flux)." };
        var sunspec = new Command("sunspec", "Walk a device's SunSpec model chain now and print its models (id, name, address, length, label); --record stores it in the device's metadata.") { device, record, actor };
        var tlsFiles = TransportOptions.AddFilesTo(sunspec);
        sunspec.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var tls = tlsFiles.ReadFiles(result);
            var typed = result.GetValue(device)!;
            await using var registry = await cli.OpenAsync(result, token, tls: tls);
            var found = await registry.FindAsync(typed, token);
            SunSpecChain? chain;
            try
            {
                chain = await SunSpecChain.ReadAsync(registry.Get<IModbusTransport>(), found, token);
            }
            catch (DeviceValidationException ex) when (ex.Errors is [{ Field: "metadata" } problem])
            {
                throw new UsageException($"devices sunspec {typed}: {problem.Message.TrimEnd('.')}.");
            }

            if (chain is null)
            {
                await output.Console.Error.WriteLineAsync($"flux: {typed} did not answer with the SunSpec marker \"SunS\" at {string.Join(", ", SunSpecChain.Bases)}.");
                return FluxCli.Failed;
            }

            var rows = chain.Models.Select(m => new ModelRow(m.Id, m.Name, m.Label, m.Address, m.Length)).ToList();
            if (output.IsJson)
            {
                await output.WriteJsonAsync(rows);
            }
            else
            {
                var grid = new Grid("ID", "NAME", "ADDRESS", "LENGTH", "LABEL");
                foreach (var row in rows)
                {
                    grid.Add(
                        row.Id.ToString(CultureInfo.InvariantCulture),
                        row.Name ?? "(unknown)",
                        row.Address.ToString(CultureInfo.InvariantCulture),
                        row.Length.ToString(CultureInfo.InvariantCulture),
                        row.Label ?? string.Empty);
                }

                await output.WriteAsync(grid);
            }

            if (result.GetValue(record))
            {
                var who = result.GetValue(actor) is { } given ? given : cli.Console.Variable("USER") is { Length: > 0 } user ? user : "flux";
                var updated = await registry.Registry.UpdateAsync(found.Id, found.Version, new DeviceUpdate { Metadata = chain.AddTo(found.Metadata) }, who, token);
                await output.StatusAsync($"Recorded {rows.Count} SunSpec model(s) of {updated.Name} in its metadata ({SunSpecChain.MetadataKey}): version {updated.Version}.");
            }

            if (chain.Error is { } error)
            {
                await output.Console.Error.WriteLineAsync($"flux: {typed}: the SunSpec chain from {chain.BaseAddress} stopped at address {error.Address} after {chain.Models.Count} model(s): {error.Reason.TrimEnd('.')}.");
                return FluxCli.Failed;
            }

            return FluxCli.Ok;
        }, token));
        return sunspec;
    }

    /// <summary>One model of the chain as printed.</summary>
    /// <param name="Id">The model id.</param>
    /// <param name="Name">The model's name in the shipped definitions, <see langword="null"/> for a model not shipped.</param>
    /// <param name="Label">The model's label in the shipped definitions, <see langword="null"/> for a model not shipped.</param>
    /// <param name="Address">The address of its <c>ID</c> register.</param>
    /// <param name="Length">Its length <c>L</c>.</param>
    private sealed record ModelRow(int Id, string? Name, string? Label, int Address, int Length);
}
