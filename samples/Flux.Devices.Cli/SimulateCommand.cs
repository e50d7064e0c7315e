using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Flux.Devices.Templates;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux simulate --site WLCE [--port 1502] [--framing tcp|rtu]</c>: a simulated site on 127.0.0.2 and 127.0.0.3 until Ctrl+C, so that a
/// second terminal can scan it, register it, apply templates and watch its health. <c>flux simulate --fleet N [--ports P]
/// [--register] [--record FILE]</c> instead serves N PowerPack BESS on 127.0.0.2 (P gateways of up to 247 unit ids each),
/// registers and configures them in the store at once with <c>--register</c>, and records every request they receive
/// with <c>--record</c> (see <see cref="RequestRecorder"/>).
/// </summary>
internal static class SimulateCommand
{
    /// <summary>The default port: Modbus's 502 needs root, 1502 is the customary unprivileged stand-in.</summary>
    public const int DefaultPort = 1502;

    public static Command Build(Cli cli)
    {
        var site = new Option<string>("--site") { Description = "The site's name, used in the commands it suggests (and, with --fleet, the site its devices are registered at).", DefaultValueFactory = _ => "WLCE" };
        var port = CliOptions.Whole("--port", "The TCP port on both hosts (502 needs root; 0 lets the system choose); with --fleet, the first of its consecutive ports.", 0, 65_535, defaultValue: DefaultPort);
        var framing = CliOptions.Enum("--framing", "The framing both hosts speak: Modbus TCP, or RTU frames as a transparent RTU-over-TCP gateway does.", Transport.ModbusFraming.Tcp, f => f == Transport.ModbusFraming.RtuOverTcp ? "rtu" : "tcp");
        var fleet = CliOptions.OptionalWhole("--fleet", "Instead of the site, N PowerPack BESS on 127.0.0.2, on --ports gateways of up to 247 unit ids each.", 1, MaxFleet);
        var ports = CliOptions.OptionalWhole("--ports", "With --fleet, how many ports (gateways) serve it; by default one per 100 devices.", 1, 1_000);
        var record = CliOptions.File("--record", "Record every request received to this file (created or emptied): a tab-separated line per request, written every 200 ms and at exit.");
        var register = new Option<bool>("--register") { Description = "With --fleet, register its devices at --site in --store (those not there yet, in one batch) and configure them with --template." };
        var template = CliOptions.File("--template", "With --register, the template to configure the fleet with. [default: powerpack_bess.yaml, shipped]");
        var simulate = new Command("simulate", "Run a simulated site (PowerPack BESS, an Acuvim II meter, a SunSpec battery and meter), or a fleet of PowerPacks, on 127.0.0.x until Ctrl+C.")
        {
            site, port, framing, fleet, ports, record, register, template,
        };
        simulate.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var name = result.GetValue(site)!;
            var chosen = result.GetValue(port);
            var size = result.GetValue(fleet);
            if (size is null)
            {
                foreach (var fleetOnly in new Option[] { ports, register, template })
                {
                    if (result.GetResult(fleetOnly) is { Implicit: false })
                    {
                        throw new UsageException($"{fleetOnly.Name} is for a fleet: give --fleet N too.");
                    }
                }
            }

            if (size is { } n)
            {
                return await RunFleetAsync(cli, result, output, new FleetRequest(name, n, result.GetValue(ports), chosen, framing.ValueIn(result), result.GetValue(record), result.GetValue(register), result.GetValue(template)), token);
            }

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
                await using var recorder = result.GetValue(record) is { } file ? RequestRecorder.Create(file.FullName) : null;
                foreach (var server in simulated.Servers)
                {
                    recorder?.Attach(server);
                }

                await PrintAsync(output, simulated);
                await WaitForStopAsync(output, token);
            }

            return FluxCli.Ok;
        }, token));
        return simulate;
    }

    /// <summary>The largest fleet: 1,000 ports of 247 unit ids would be more, but a fleet is for tests and benchmarks.</summary>
    public const int MaxFleet = 100_000;

    private static async Task WaitForStopAsync(CliOutput output, CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            await output.StatusAsync("Stopped.");
        }
    }

    private static async Task<int> RunFleetAsync(Cli cli, ParseResult result, CliOutput output, FleetRequest request, CancellationToken token)
    {
        if (request.Framing != Transport.ModbusFraming.Tcp)
        {
            throw new UsageException("--framing rtu is for the site: a fleet speaks Modbus TCP.");
        }

        var portCount = request.Ports ?? Math.Max(1, (request.Size + 99) / 100);
        if (SimulatedFleet.UnitsFor(request.Size, portCount) > SimulatedFleet.MaxUnitsPerPort)
        {
            var least = (request.Size + SimulatedFleet.MaxUnitsPerPort - 1) / SimulatedFleet.MaxUnitsPerPort;
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--ports {portCount}: a port serves at most {SimulatedFleet.MaxUnitsPerPort} unit ids, so --fleet {request.Size} needs at least {least} ports."));
        }

        if (portCount > request.Size)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--ports {portCount}: more ports than the {request.Size} devices of --fleet."));
        }

        if (request.FirstPort != 0 && request.FirstPort + portCount - 1 > 65_535)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--port {request.FirstPort}: {portCount} consecutive ports from it go past 65535."));
        }

        var templateFile = request.Register ? CliOptions.ResolveShipped(request.Template ?? new FileInfo("powerpack_bess.yaml")) : null;
        await using var recorder = request.Record is { } file ? RequestRecorder.Create(file.FullName) : null;
        SimulatedFleet simulated;
        try
        {
            simulated = await SimulatedFleet.StartAsync(request.Site, request.Size, portCount, request.FirstPort, recorder, token);
        }
        catch (SocketException ex)
        {
            var where = request.FirstPort == 0 ? "ports the system chose" : string.Create(CultureInfo.InvariantCulture, $"ports {request.FirstPort}-{request.FirstPort + portCount - 1}");
            await cli.Console.Error.WriteLineAsync($"flux: cannot listen on {where} of {SimulatedFleet.Host}: {ex.Message}. Choose others with --port.");
            return FluxCli.Failed;
        }

        await using (simulated)
        {
            if (templateFile is not null)
            {
                await RegisterAsync(cli, result, output, simulated, templateFile, token);
            }

            if (output.IsJson)
            {
                await output.WriteJsonLineAsync(new { site = simulated.Site, devices = simulated.Size, host = SimulatedFleet.Host, ports = simulated.Ports, unitsPerPort = simulated.UnitsPerPort, record = request.Record?.FullName });
            }
            else
            {
                var grid = new Grid("HOST", "PORT", "UNITS", "TYPE", "DEVICES");
                for (var p = 0; p < simulated.Ports.Count; p++)
                {
                    var first = p * simulated.UnitsPerPort;
                    var last = Math.Min(simulated.Size, first + simulated.UnitsPerPort) - 1;
                    grid.Add(SimulatedFleet.Host, CliOutput.Number(simulated.Ports[p]), $"1-{last - first + 1}", "bess", $"{simulated.Name(first)} .. {simulated.Name(last)}");
                }

                await output.WriteAsync(grid);
            }

            await output.StatusAsync(string.Create(CultureInfo.InvariantCulture, $"Simulating a fleet of {simulated.Size} PowerPack BESS at site {simulated.Site} on {simulated.Ports.Count} port(s) of {SimulatedFleet.Host}{(request.Record is { } r ? $", recording requests to {r.FullName}" : string.Empty)}; Ctrl+C to stop."));
            await WaitForStopAsync(output, token);
        }

        if (recorder is { Dropped: > 0 })
        {
            await output.StatusAsync(string.Create(CultureInfo.InvariantCulture, $"The record dropped {recorder.Dropped} request(s): its writer fell {recorder.Capacity} behind."));
        }

        return FluxCli.Ok;
    }

    /// <summary>
    /// Registers the fleet's devices that the store does not have yet (by name, at the site) in one batch, then
    /// configures every Registered one of them with the template: two round trips' worth of work however large the fleet.
    /// </summary>
    private static async Task RegisterAsync(Cli cli, ParseResult result, CliOutput output, SimulatedFleet fleet, string templateFile, CancellationToken token)
    {
        await using var registry = await cli.OpenAsync(result, token, create: true);
        var atSite = new DeviceFilter { Sites = [fleet.Site], Types = [DeviceTypes.Bess] };
        var known = (await registry.Registry.ListAsync(atSite, token)).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var nameplate = DeviceMetadata.Empty
            .With("manufacturer", "PowerPack").With("model", "PP-500")
            .With("capacity_kwh", 500L).With("max_power_kw", 100L).With("efficiency", 0.92);
        var missing = new List<NewDevice>();
        for (var i = 0; i < fleet.Size; i++)
        {
            if (known.Contains(fleet.Name(i)))
            {
                continue;
            }

            var (port, unit) = fleet.Address(i);
            missing.Add(new NewDevice
            {
                Name = fleet.Name(i),
                Type = DeviceTypes.Bess,
                Site = fleet.Site,
                Metadata = nameplate.With("ip_address", SimulatedFleet.Host).With("port", (long)port).With("modbus_address", (long)unit),
            });
        }

        if (missing.Count > 0)
        {
            await registry.Registry.RegisterManyAsync(missing, "flux", token);
        }

        var loaded = await registry.Get<DeviceTemplateLoader>().LoadFileAsync(templateFile, token);
        var templates = registry.Get<IDeviceTemplateService>();
        var plan = await templates.PlanAsync(loaded, new DeviceFilter { Sites = [fleet.Site], Types = [DeviceTypes.Bess], States = [DeviceState.Registered] }, token);
        var done = await templates.CommitAsync(plan, "flux", token);
        await output.StatusAsync(string.Create(CultureInfo.InvariantCulture, $"Registered {missing.Count} device(s) at {fleet.Site} ({fleet.Size - missing.Count} already there); configured {done.Applied} with {loaded.Name}."));
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

/// <summary>What <c>flux simulate --fleet</c> was asked for.</summary>
internal sealed record FleetRequest(string Site, int Size, int? Ports, int FirstPort, Transport.ModbusFraming Framing, FileInfo? Record, bool Register, FileInfo? Template);
