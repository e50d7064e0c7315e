using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux simulate --site WLCE [--port 1502] [--framing tcp|rtu]</c>: a simulated site on 127.0.0.2 and 127.0.0.3 until Ctrl+C, so that a
/// second terminal can scan it, register it, apply templates and watch its health.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>The default port: Modbus's 502 needs root, 1502 is the customary unprivileged stand-in.</summary>
    public const int DefaultPort = 1502;

    public static Command Build(Cli cli)
    {
        var site = new Option<string>("--site") { Description = "The site's name, used in the commands it suggests.", DefaultValueFactory = _ => "WLCE" };
        var port = CliOptions.Whole("--port", "The TCP port on both hosts (502 needs root; 0 lets the system choose).", 0, 65_535, defaultValue: DefaultPort);
        var framing = CliOptions.Enum("--framing", "The framing both hosts speak: Modbus TCP, or RTU frames as a transparent RTU-over-TCP gateway does.", Transport.ModbusFraming.Tcp, f => f == Transport.ModbusFraming.RtuOverTcp ? "rtu" : "tcp");
        var simulate = new Command("simulate", "Run a simulated site (PowerPack BESS, an Acuvim II meter, a SunSpec battery) on 127.0.0.x until Ctrl+C.") { site, port, framing };
        simulate.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var name = result.GetValue(site)!;
            var chosen = result.GetValue(port);

            SimulatedSite simulated;
            try
            {
                simulated = await SimulatedSite.StartAsync(name, chosen, token, framing.ValueIn(result));
            }
            catch (SocketException ex)
            {
                await cli.Console.Error.WriteLineAsync($"flux: cannot listen on port {chosen} of 127.0.0.2 and 127.0.0.3: {ex.Message}. Choose another with --port.");
                return FluxCli.Failed;
            }

            await using (simulated)
            {
                await PrintAsync(output, simulated);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    await output.StatusAsync("Stopped.");
                }
            }

            return FluxCli.Ok;
        }, token));
        return simulate;
    }

    private static async Task PrintAsync(CliOutput output, SimulatedSite site)
    {
        if (output.IsJson)
        {
            await output.WriteJsonLineAsync(new { site = site.Name, endpoints = site.Endpoints });
        }
        else
        {
            var grid = new Grid("HOST", "PORT", "UNIT", "TYPE", "DEVICE", "FOUND BY");
            foreach (var e in site.Endpoints)
            {
                grid.Add(e.Host, CliOutput.Number(e.Port), CliOutput.Number(e.UnitId), e.Type, e.Device, e.Identification);
            }

            await output.WriteAsync(grid);
        }

        var ports = string.Join(' ', site.Endpoints.Select(e => e.Port).Distinct().Select(p => p.ToString(CultureInfo.InvariantCulture)));
        var framing = site.Framing == Transport.ModbusFraming.RtuOverTcp ? " --framing rtu" : string.Empty;
        await output.StatusAsync($"""
            Simulating site {site.Name}; Ctrl+C to stop. In another terminal:
              flux devices scan 127.0.0.2-3 --ports {ports}{framing} --site {site.Name} --register --template templates/powerpack_bess.yaml --template templates/acuvim2_meter.yaml --defaults templates/site_defaults.json
              flux devices apply-template --template templates/powerpack_bess.yaml --filter "type=bess,site={site.Name}" --commit
              flux devices health --watch
            """);
    }
}
