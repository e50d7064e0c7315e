using System.CommandLine;
using System.Globalization;
using Flux.Devices.Control;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices write DEVICE POINT=VALUE --reason R [--actor NAME] [--commit]</c>: a setpoint. Without
/// <c>--commit</c> a dry run that checks the write as the library would and prints the registers it would send (exit
/// code 3); with it, the write, read back to confirm (exit code 1 when its outcome is unknown: it is not sent again).
/// </summary>
internal static class WriteCommand
{
    public static Command Build(Cli cli, Argument<string> device)
    {
        var assignment = new Argument<string>("point=value") { Description = "The point and its value in the point's unit, such as target_power=50 (kW; negative charges a BESS)." };
        var reason = new Option<string>("--reason") { Description = "Why the setpoint is written (kept in the device's history).", Required = true };
        var actor = new Option<string?>("--actor") { Description = "Who writes it, for the history (default: $USER, else flux)." };
        var commit = new Option<bool>("--commit") { Description = "Send the write; without it, only check it and print the registers it would send (exit code 3)." };
        var write = new Command("write", "Write a setpoint to an Active device: a dry run that prints the raw registers, or --commit to send it and read it back.") { device, assignment, reason, actor, commit };
        var tlsFiles = TransportOptions.AddFilesTo(write);
        write.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var (point, value) = Parse(result.GetValue(assignment)!);
            var who = result.GetValue(actor) is { } given ? given : cli.Console.Variable("USER") is { Length: > 0 } user ? user : "flux";
            var tls = tlsFiles.ReadFiles(result);
            await using var registry = await cli.OpenAsync(result, token, tls: tls);
            var found = await registry.FindAsync(result.GetValue(device)!, token);
            var control = registry.Get<IDeviceControl>();
            if (!result.GetValue(commit))
            {
                var plan = await control.PlanAsync(found.Id, point, value, token);
                await Print(output, plan, "dry run", null);
                await output.StatusAsync($"Dry run: nothing was sent. Give --commit to write {point} = {Show(value)}{Unit(plan)} to {found.Name}.");
                return FluxCli.DryRunHasChanges;
            }

            var done = await control.WriteAsync(found.Id, point, value, who, result.GetValue(reason)!, token);
            await Print(output, done.Plan, done.IsConfirmed ? "confirmed" : "unknown", done.ReadBack);
            if (done.IsConfirmed)
            {
                await output.StatusAsync($"{found.Name}: {point} = {Show(value)}{Unit(done.Plan)}, confirmed by reading it back.");
                return FluxCli.Ok;
            }

            await cli.Console.Error.WriteLineAsync($"flux: {found.Name}: the outcome of writing {point} is unknown ({done.Detail}); it was not sent again: read the point to decide.");
            return FluxCli.Failed;
        }, token));
        return write;
    }

    /// <summary>Reads <c>POINT=VALUE</c>; a value that is not a finite number is bad usage.</summary>
    private static (string Point, double Value) Parse(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new UsageException($"devices write '{text}': expected POINT=VALUE, such as target_power=50.");
        }

        var number = text[(equals + 1)..];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new UsageException($"devices write '{text}': '{number}' is not a number (such as 50, -12.5).");
        }

        return (text[..equals], value);
    }

    internal static Task Print(CliOutput output, ControlWritePlan plan, string outcome, IReadOnlyList<ushort>? readBack)
    {
        if (output.IsJson)
        {
            return output.WriteJsonAsync(new
            {
                Device = plan.DeviceName,
                Point = plan.Point.Name,
                plan.Value,
                plan.Point.Unit,
                plan.Address,
                Function = plan.FunctionCode,
                plan.Registers,
                Outcome = outcome,
                ReadBack = readBack,
            });
        }

        var grid = new Grid("DEVICE", "POINT", "VALUE", "ADDRESS", "FUNCTION", "REGISTERS", "OUTCOME");
        grid.Add(
            plan.DeviceName,
            plan.Point.Name,
            Show(plan.Value) + Unit(plan),
            plan.Address.ToString(CultureInfo.InvariantCulture),
            FunctionName(plan.FunctionCode),
            string.Join(' ', plan.Registers.Select(r => r.ToString("X4", CultureInfo.InvariantCulture))),
            outcome);
        return output.WriteAsync(grid);
    }

    private static string FunctionName(byte code) => code switch
    {
        5 => "5 (write coil)",
        6 => "6 (write register)",
        _ => $"{code} (write registers)",
    };

    private static string Unit(ControlWritePlan plan) => plan.Point.Unit is { } unit ? " " + unit : string.Empty;

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
