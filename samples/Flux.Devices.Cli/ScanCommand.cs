using System.CommandLine;
using System.Globalization;
using Flux.Devices.Discovery;
using Flux.Devices.Templates;
using Spectre.Console;

namespace Flux.Devices.Cli;

/// <summary>
/// <c>flux devices scan HOSTS</c>: finds Modbus devices (read-only), printing one row per device as it is identified
/// (JSON Lines with <c>--output json</c>, CSV rows with <c>--output csv</c>), progress on stderr (a bar on a terminal,
/// a line per tenth of the hosts otherwise); with <c>--register</c>, registers them at <c>--site</c>, idempotently.
/// Registered devices are not asked again unless <c>--rescan-registered</c>; how many unit ids that left out is said on stderr.
/// <c>--framing rtu</c> scans RTU-over-TCP gateways, <c>--tls</c> (with <c>--tls-cert</c>) Modbus/TCP Security ports; devices
/// found are registered with it (<c>modbus_framing: rtu</c>, <c>modbus_tls: true</c>).
/// </summary>
internal static class ScanCommand
{
    private static readonly int[] Widths = [20, 4, 6, 12, 12, 17, 14];

    public static Command Build(Cli cli)
    {
        var hosts = new Argument<string>("hosts") { Description = "Hosts: a CIDR (127.0.0.0/24), a range (127.0.0.2-20) or a list (127.0.0.2,127.0.0.3)." };
        var ports = CliOptions.WholeList("--ports", "TCP ports.", p => p is >= 1 and <= 65_535, "a port is from 1 to 65535", [Transport.ModbusEndpoint.DefaultPort]);
        var units = CliOptions.WholeList<byte>("--units", "Unit ids.", u => u is (>= 1 and <= 247) or 255, "a unit id is from 1 to 247, or 255 (0 is broadcast, which no device answers)", [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var site = new Option<string?>("--site") { Description = "The site to register the devices at (required with --register)." };
        var wide = new Option<bool>("--wide") { Description = $"Allow more than {HostSet.MaxHostsWithoutWide} hosts (a /16)." };
        var register = new Option<bool>("--register") { Description = "Register what is found (idempotent: nothing twice). Without it, a dry run: the outcomes, names and errors registering would give." };
        var rescan = new Option<bool>("--rescan-registered") { Description = "Ask registered devices too (reported AlreadyRegistered). By default their unit ids are not contacted; other unit ids at the same endpoint are." };
        var templates = CliOptions.Files("--template", "Templates whose manufacturers and identify blocks recognise devices. Repeatable.");
        var defaults = CliOptions.File("--defaults", "A JSON file of metadata per device type for what no probe can learn, as templates/site_defaults.json.");
        var scan = new Command("scan", "Scan hosts for Modbus devices, read-only, and optionally register them.") { hosts, ports, units, site, register, rescan, templates, defaults, wide };
        var transport = TransportOptions.AddTo(scan);
        scan.SetAction((result, token) => cli.GuardAsync(async () =>
        {
            var output = cli.OutputFor(result);
            var (framing, useTls, tls) = transport.Read(result);

            // Modbus/TCP Security has a port of its own: scanned unless --ports says otherwise.
            int[] scanPorts = useTls && result.GetResult(ports) is null or { Implicit: true } ? [Transport.ModbusEndpoint.DefaultSecurePort] : result.GetValue(ports)!;
            HostSet set;
            try
            {
                // Parsed as wide, then checked here, so that the error names the option (the library's names its parameter).
                set = HostSet.Parse(result.GetValue(hosts), allowWide: true);
            }
            catch (HostSetException ex)
            {
                throw new UsageException(ex.Message);
            }

            if (set.Count > HostSet.MaxHostsWithoutWide && !result.GetValue(wide))
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"hosts {result.GetValue(hosts)}: {set.Count:N0} hosts, more than {HostSet.MaxHostsWithoutWide:N0} (a /16); give --wide to scan that many."));
            }

            var siteName = result.GetValue(site);
            if (result.GetValue(register) && string.IsNullOrWhiteSpace(siteName))
            {
                throw new UsageException("--register needs --site: the site the devices are registered at (and named after).");
            }

            // A store this scan creates is removed again when the scan stops (Ctrl+C, an error) before writing to it.
            var newFile = cli.NewSqliteFile(result);
            var tally = new Tally();
            try
            {
                await using var registry = await cli.OpenAsync(result, token, create: true, tls: tls);
                var loader = registry.Get<DeviceTemplateLoader>();
                var loaded = new List<DeviceTemplate>();
                foreach (var file in result.GetValue(templates) ?? [])
                {
                    loaded.Add(await loader.LoadFileAsync(CliOptions.ResolveShipped(file), token));
                }

                var perType = new Dictionary<string, DeviceMetadata>();
                if (result.GetValue(defaults) is { } defaultsFile)
                {
                    var source = $"--defaults {defaultsFile}";
                    foreach (var (type, metadata) in CliOptions.ParseMetadata(await CliOptions.ReadTextAsync(CliOptions.ResolveShipped(defaultsFile), source, token), source))
                    {
                        perType[type] = DeviceMetadata.FromElement(metadata);
                    }
                }

                var options = new DeviceScanOptions { Hosts = set, Ports = scanPorts, UnitIds = result.GetValue(units)!, Framing = framing, UseTls = useTls, Templates = loaded };
                var registration = new AutoRegistrationOptions
                {
                    Site = string.IsNullOrWhiteSpace(siteName) ? "SITE" : siteName,
                    Register = result.GetValue(register),
                    SkipRegisteredUnits = !result.GetValue(rescan),
                    Actor = "flux scan",
                    Defaults = perType,
                };
                var discovery = registry.Get<IDeviceDiscoveryService>();
                UnitsExcluded? excluded = null;
                if (!cli.Console.ErrorIsTerminal)
                {
                    excluded = new UnitsExcluded(new LineProgress(cli.Console.Error));
                    await RunAsync(discovery.DiscoverAsync(options, registration, excluded, token), Printer(output, cli.Console.Output), tally, token);
                }
                else
                {
                    // A bar on the terminal. When results go to the same terminal, they are written through the bar's console
                    // so that they print above it instead of through it.
                    var terminal = cli.Console.Draw(cli.Console.Error, interactive: true);
                    await new Progress(terminal)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                        .StartAsync(async context =>
                        {
                            var task = context.AddTask("scanning", maxValue: Math.Max(1, set.Count));
                            var found = Printer(output, cli.Console.OutputIsTerminal ? new AnsiWriter(terminal) : cli.Console.Output);
                            excluded = new UnitsExcluded(new BarProgress(task));
                            await RunAsync(discovery.DiscoverAsync(options, registration, excluded, token), found, tally, token);
                            task.Value = task.MaxValue;
                        });
                }

                if (excluded?.Count > 0)
                {
                    await output.StatusAsync(string.Create(CultureInfo.InvariantCulture, $"{excluded.Count} unit id(s) of registered devices not contacted; --rescan-registered asks them too."));
                }

                if (excluded?.Refused is ({ } refusedEndpoints and > 0, var lastRefusal))
                {
                    // Something answered there, but the TLS settings do not match: say so rather than look like an empty network.
                    await output.StatusAsync(string.Create(CultureInfo.InvariantCulture, $"{refusedEndpoints} endpoint(s) refused the connection's security and were not scanned (check --tls, --tls-cert, --tls-key and --tls-ca); latest: {lastRefusal}"));
                    return FluxCli.Failed;
                }

                if (tally.Refused > 0)
                {
                    await output.StatusAsync(registration.Register
                        ? $"{tally.Refused} device(s) could not be registered: see their DETAIL (or errors)."
                        : $"{tally.Refused} device(s) would not be registered: see their DETAIL (or errors).");
                    return FluxCli.Failed;
                }

                return FluxCli.Ok;
            }
            catch when (newFile is not null && tally.Written == 0)
            {
                Cli.DeleteSqliteFile(newFile); // released: the registry was disposed on the way out
                throw;
            }
        }, token));
        return scan;
    }

    private static Func<DiscoveryResult, Task> Printer(CliOutput output, TextWriter writer)
    {
        var rows = new CliOutput(output.Console with { Output = writer, OutputIsTerminal = false }, output.Format)
            .BeginRows(new Grid("ENDPOINT", "UNIT", "TYPE", "MANUFACTURER", "MODEL", "OUTCOME", "NAME", "DETAIL"), Widths);
        return found =>
        {
            var identity = found.Discovered.Identity;
            rows.Write(
                Json(found),
                found.Discovered.Endpoint.ToString(),
                found.Discovered.UnitId.ToString(CultureInfo.InvariantCulture),
                identity?.DeviceType ?? "unknown",
                identity?.Manufacturer ?? string.Empty,
                identity?.Model ?? string.Empty,
                found.Outcome.ToString(),
                found.Name ?? string.Empty,
                string.Join("; ", found.Errors.Select(e => $"{e.Field}: {e.Message}")));
            return Task.CompletedTask;
        };
    }

    /// <summary>Prints each result as it comes, counting what was written and what was refused (invalid metadata).</summary>
    private static async Task RunAsync(IAsyncEnumerable<DiscoveryResult> results, Func<DiscoveryResult, Task> print, Tally tally, CancellationToken cancellationToken)
    {
        await foreach (var found in results.WithCancellation(cancellationToken))
        {
            tally.Written += found.Outcome is DiscoveryOutcome.Registered or DiscoveryOutcome.Moved ? 1 : 0;
            tally.Refused += found.Outcome == DiscoveryOutcome.Invalid ? 1 : 0;
            await print(found);
        }
    }

    /// <summary>What a scan did so far.</summary>
    private sealed class Tally
    {
        public int Written { get; set; }

        public int Refused { get; set; }
    }

    private static object Json(DiscoveryResult found) => new
    {
        endpoint = found.Discovered.Endpoint.ToString(),
        unit_id = found.Discovered.UnitId,
        type = found.Discovered.Identity?.DeviceType,
        manufacturer = found.Discovered.Identity?.Manufacturer,
        model = found.Discovered.Identity?.Model,
        serial_number = found.Discovered.Identity?.SerialNumber,
        probe = found.Discovered.Identity?.Probe,
        outcome = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(found.Outcome.ToString()),
        name = found.Name,
        device_id = found.Device?.Id,
        errors = found.Errors.Select(e => $"{e.Field}: {e.Message}"),
    };

    /// <summary>
    /// Passes progress on, keeping the most unit ids reported left out and the most endpoints reported refused, with the
    /// reason of the latest refusal (reports from parallel hosts may come out of order).
    /// </summary>
    private sealed class UnitsExcluded(IProgress<ScanProgress> inner) : IProgress<ScanProgress>
    {
        private readonly Lock _gate = new();
        private long _count;
        private long _refused;
        private string? _lastRefusal;

        public long Count
        {
            get
            {
                lock (_gate)
                {
                    return _count;
                }
            }
        }

        public (long Count, string? Last) Refused
        {
            get
            {
                lock (_gate)
                {
                    return (_refused, _lastRefusal);
                }
            }
        }

        public void Report(ScanProgress value)
        {
            lock (_gate)
            {
                _count = Math.Max(_count, value.UnitsExcluded);
                if (value.EndpointsRefused > _refused)
                {
                    _refused = value.EndpointsRefused;
                    _lastRefusal = value.LastRefusal;
                }
            }

            inner.Report(value);
        }
    }

    /// <summary>Progress for a log or pipe: one line each time another tenth of the hosts is done, and at the end.</summary>
    private sealed class LineProgress(TextWriter error) : IProgress<ScanProgress>
    {
        private readonly Lock _gate = new();
        private long _lastTenth = -1;

        public void Report(ScanProgress value)
        {
            lock (_gate)
            {
                var tenth = value.HostsTotal == 0 ? 10 : value.HostsScanned * 10 / value.HostsTotal;
                if (tenth <= _lastTenth)
                {
                    return; // reports come from parallel hosts, so an older one may arrive late
                }

                _lastTenth = tenth;
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scanned {value.HostsScanned}/{value.HostsTotal} hosts, {value.DevicesFound} device(s), {value.RequestsSent} request(s)"));
            }
        }
    }

    /// <summary>Progress as a bar: hosts done of hosts to scan, the devices found so far in its description.</summary>
    private sealed class BarProgress(ProgressTask task) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value)
        {
            task.MaxValue = Math.Max(1, value.HostsTotal);
            task.Value = value.HostsScanned;
            task.Description = string.Create(CultureInfo.InvariantCulture, $"scanning: {value.DevicesFound} device(s)");
        }
    }

    /// <summary>A writer onto a Spectre console, so that lines print above its live progress bar.</summary>
    private sealed class AnsiWriter(IAnsiConsole console) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void Write(string? value) => console.Write(new Text(value ?? string.Empty));

        public override void WriteLine(string? value) => console.WriteLine(value ?? string.Empty);
    }
}
