using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Flux.Devices.Discovery;
using Flux.Devices.Lifecycle;
using Flux.Devices.Postgres;
using Flux.Devices.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli;

/// <summary>
/// The <c>flux</c> command line. Exit codes: 0 done; 1 failed (an unknown device, a refused change, an unreachable
/// store); 2 bad usage (unknown command or option, a malformed filter); 3 a dry run that would change something.
/// </summary>
internal static class FluxCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int DryRunHasChanges = 3;

    private const string StoreVariable = "FLUX_STORE";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static readonly Option<string> StoreOption = new("--store")
    {
        Description = $"The registry: a SQLite file (the default, flux.db) or a PostgreSQL connection string (Host=...). Also ${StoreVariable}.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StoreVariable) is { Length: > 0 } store ? store : "flux.db",
    };

    private static readonly Option<string> OutputOption = CreateOutputOption();

    /// <summary>Parses and runs a command line, writing to the given streams.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = BuildRoot(output, error);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"flux: {problem.Message}");
            }

            return Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    private static Option<string> CreateOutputOption()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "table (the default) or json.",
            Recursive = true,
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }

    private static RootCommand BuildRoot(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("flux: the microgrid device registry (Flux.Devices).");
        root.Options.Add(StoreOption);
        root.Options.Add(OutputOption);

        var demo = new Command("demo", "Simulate a site on 127.0.0.x, scan and register it, apply the spec's template, poll until Active.");
        demo.SetAction((_, token) => Demo.RunAsync(output, token));
        root.Subcommands.Add(demo);

        var devices = new Command("devices", "List, show and configure devices.");
        root.Subcommands.Add(devices);

        var filter = new Option<string?>("--filter") { Description = "A filter such as \"type=bess,site=WLCE\"." };
        var list = new Command("list", "List the devices, by name.") { filter };
        list.SetAction((result, token) => GuardAsync(error, async () =>
        {
            await using var registry = await OpenAsync(result, token);
            var found = await registry.Registry.ListAsync(DeviceFilter.Parse(result.GetValue(filter)), token);
            await WriteDevicesAsync(output, result, found);
            return Ok;
        }));
        devices.Subcommands.Add(list);

        var device = new Argument<string>("device") { Description = "The device's name or id." };
        var show = new Command("show", "Show one device with its metadata.") { device };
        show.SetAction((result, token) => GuardAsync(error, async () =>
        {
            await using var registry = await OpenAsync(result, token);
            var found = await FindAsync(registry.Registry, result.GetValue(device)!, token);
            await WriteDevicesAsync(output, result, [found], withMetadata: true);
            return Ok;
        }));
        devices.Subcommands.Add(show);

        var history = new Command("history", "Show a device's history, oldest first.") { device };
        history.SetAction((result, token) => GuardAsync(error, async () =>
        {
            await using var registry = await OpenAsync(result, token);
            var found = await FindAsync(registry.Registry, result.GetValue(device)!, token);
            var entries = await registry.Registry.GetHistoryAsync(found.Id, token);
            if (IsJson(result))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(entries, Json));
                return Ok;
            }

            await Tables.WriteHistoryAsync(output, entries);
            return Ok;
        }));
        devices.Subcommands.Add(history);

        var template = new Option<FileInfo>("--template") { Description = "The template file (YAML, as the spec's powerpack_bess.yaml).", Required = true };
        var requiredFilter = new Option<string>("--filter") { Description = "The devices, such as \"type=bess,site=WLCE\".", Required = true };
        var commit = new Option<bool>("--commit") { Description = "Apply the plan; without it, only print it (exit code 3 when it would change something)." };
        var apply = new Command("apply-template", "Apply a configuration template to the devices a filter selects: a dry run, or --commit.") { template, requiredFilter, commit };
        apply.SetAction((result, token) => GuardAsync(error, async () =>
        {
            await using var registry = await OpenAsync(result, token);
            var loaded = await registry.Services.GetRequiredService<DeviceTemplateLoader>().LoadFileAsync(result.GetValue(template)!.FullName, token);
            var templates = registry.Services.GetRequiredService<IDeviceTemplateService>();
            var plan = await templates.PlanAsync(loaded, DeviceFilter.Parse(result.GetValue(requiredFilter)), token);
            await output.WriteLineAsync(IsJson(result) ? plan.ToJson() : plan.ToTable());
            if (!result.GetValue(commit))
            {
                return plan.ChangeCount > 0 ? DryRunHasChanges : Ok;
            }

            var done = await templates.CommitAsync(plan, "flux", token);
            await error.WriteLineAsync($"Committed: {done.Applied} device(s) changed, {done.Conflicts} changed meanwhile and left alone.");
            return done.Conflicts > 0 ? Failed : Ok;
        }));
        devices.Subcommands.Add(apply);

        var healthFilter = new Option<string?>("--filter") { Description = "Only the devices this filter selects." };
        var health = new Command("health", "Poll every device that should be polled once, now, and print its health.") { healthFilter };
        health.SetAction((result, token) => GuardAsync(error, async () =>
        {
            await using var registry = await OpenAsync(result, token);
            var samples = await registry.Services.GetRequiredService<Health.IDeviceHealthMonitor>().CheckAsync(DeviceFilter.Parse(result.GetValue(healthFilter)), token);
            if (IsJson(result))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(samples, Json));
                return Ok;
            }

            var names = (await registry.Registry.ListAsync(cancellationToken: token)).ToDictionary(d => d.Id);
            await output.WriteLineAsync($"{"NAME",-28} {"STATUS",-8} {"MS",5} {"ERRORS",6}  STATE");
            foreach (var sample in samples)
            {
                var device = names[sample.DeviceId];
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{device.Name,-28} {sample.Status,-8} {sample.ResponseTimeMs,5} {sample.ErrorCount,6}  {device.State} {sample.Diagnostics?.Error}"));
            }

            return samples.Any(s => s.Status == Health.DeviceHealthStatus.Offline) ? Failed : Ok;
        }));
        devices.Subcommands.Add(health);
        devices.Subcommands.Add(BuildScan(output, error));

        root.Subcommands.Add(BuildRegisters(output, error));
        return root;
    }

    /// <summary>
    /// <c>flux devices scan HOSTS</c>: finds Modbus devices (read-only), streaming one line per device (JSON Lines with
    /// <c>--output json</c>), progress on stderr; with <c>--register</c>, registers them at <c>--site</c>.
    /// </summary>
    private static Command BuildScan(TextWriter output, TextWriter error)
    {
        var hosts = new Argument<string>("hosts") { Description = "Hosts: a CIDR (127.0.0.0/24), a range (127.0.0.2-20) or a list." };
        var ports = new Option<int[]>("--ports") { Description = "TCP ports.", DefaultValueFactory = _ => [Transport.ModbusEndpoint.DefaultPort], AllowMultipleArgumentsPerToken = true };
        var units = new Option<byte[]>("--units") { Description = "Unit ids.", DefaultValueFactory = _ => [1, 2, 3, 4, 5, 6, 7, 8, 9], AllowMultipleArgumentsPerToken = true };
        var site = new Option<string>("--site") { Description = "The site to register the devices at.", DefaultValueFactory = _ => "SITE" };
        var register = new Option<bool>("--register") { Description = "Register what is found (idempotent: nothing twice)." };
        var templates = new Option<FileInfo[]>("--template") { Description = "Templates whose manufacturers and identify blocks recognise devices.", AllowMultipleArgumentsPerToken = true };
        var defaults = new Option<FileInfo?>("--defaults") { Description = "A JSON file of metadata per device type ({\"bess\": {\"efficiency\": 0.92, ...}}) for what no probe can learn." };
        var scan = new Command("scan", "Scan hosts for Modbus devices, read-only, and optionally register them.") { hosts, ports, units, site, register, templates, defaults };
        scan.SetAction((result, token) => GuardAsync(error, async () =>
        {
            HostSet set;
            try
            {
                set = HostSet.Parse(result.GetValue(hosts));
            }
            catch (HostSetException ex)
            {
                await error.WriteLineAsync($"flux: {ex.Message}");
                return Usage;
            }

            await using var registry = await OpenAsync(result, token);
            var loader = registry.Services.GetRequiredService<DeviceTemplateLoader>();
            var loaded = new List<DeviceTemplate>();
            foreach (var file in result.GetValue(templates) ?? [])
            {
                loaded.Add(await loader.LoadFileAsync(file.FullName, token));
            }

            var options = new DeviceScanOptions { Hosts = set, Ports = result.GetValue(ports)!, UnitIds = result.GetValue(units)!, Templates = loaded };
            var perType = new Dictionary<string, DeviceMetadata>();
            if (result.GetValue(defaults) is { } defaultsFile)
            {
                foreach (var (type, metadata) in DeviceMetadata.Parse(await File.ReadAllTextAsync(defaultsFile.FullName, token)))
                {
                    perType[type] = DeviceMetadata.FromElement(metadata);
                }
            }

            var progress = new LineProgress(error);
            var registration = new AutoRegistrationOptions { Site = result.GetValue(site)!, Register = result.GetValue(register), Actor = "flux scan", Defaults = perType };
            await foreach (var found in registry.Services.GetRequiredService<IDeviceDiscoveryService>().DiscoverAsync(options, registration, progress, token))
            {
                var identity = found.Discovered.Identity;
                if (IsJson(result))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        endpoint = found.Discovered.Endpoint.ToString(),
                        unit_id = found.Discovered.UnitId,
                        type = identity?.DeviceType,
                        manufacturer = identity?.Manufacturer,
                        model = identity?.Model,
                        serial_number = identity?.SerialNumber,
                        probe = identity?.Probe,
                        outcome = JsonNamingPolicy.SnakeCaseLower.ConvertName(found.Outcome.ToString()),
                        name = found.Name,
                        errors = found.Errors.Select(e => $"{e.Field}: {e.Message}"),
                    }));
                }
                else
                {
                    await output.WriteLineAsync($"{found.Discovered.Endpoint} unit {found.Discovered.UnitId}: {identity?.DeviceType ?? "unknown"} {identity?.Manufacturer} {identity?.Model} -> {found.Outcome} {found.Name} {string.Join("; ", found.Errors.Select(e => $"{e.Field}: {e.Message}"))}".TrimEnd());
                }
            }

            lock (error)
            {
                error.WriteLine();
            }

            return Ok;
        }));
        return scan;
    }

    /// <summary><c>flux registers read</c>: an mbpoll-style one-off read, with 0-based PDU addresses.</summary>
    private static Command BuildRegisters(TextWriter output, TextWriter error)
    {
        var host = new Option<string>("--host") { Description = "The device's address.", Required = true };
        var port = new Option<int>("--port") { Description = "The TCP port.", DefaultValueFactory = _ => Transport.ModbusEndpoint.DefaultPort };
        var unit = new Option<byte>("--unit") { Description = "The unit id.", DefaultValueFactory = _ => 1 };
        var address = new Option<ushort>("--address") { Description = "The first register, a 0-based PDU address (holding register 40001 is 0).", Required = true };
        var count = new Option<int>("--count") { Description = "How many values.", DefaultValueFactory = _ => 1 };
        var type = new Option<RegisterMaps.RegisterDataType>("--type") { Description = "How to read each value.", DefaultValueFactory = _ => RegisterMaps.RegisterDataType.UInt16 };
        var order = new Option<RegisterMaps.ByteOrder>("--order") { Description = "The byte order of multi-register values.", DefaultValueFactory = _ => RegisterMaps.ByteOrder.ABCD };
        var input = new Option<bool>("--input") { Description = "Read input registers (function 4) instead of holding registers (function 3)." };
        var read = new Command("read", "Read registers from a device.") { host, port, unit, address, count, type, order, input };
        read.SetAction((result, token) => GuardAsync(error, async () =>
        {
            var dataType = result.GetValue(type);
            var width = RegisterMaps.RegisterCodec.RegisterCount(dataType);
            var values = result.GetValue(count);
            if (values < 1 || values * width > 125)
            {
                await error.WriteLineAsync($"flux: --count must be from 1 to {125 / width} for {dataType}");
                return Usage;
            }

            await using var transport = new Modbus.ModbusTcpTransport(new Modbus.ModbusTcpOptions { RetryCount = 0 });
            var endpoint = new Transport.ModbusEndpoint(result.GetValue(host)!, result.GetValue(port));
            var words = new ushort[values * width];
            var start = result.GetValue(address);
            if (result.GetValue(input))
            {
                await transport.ReadInputRegistersAsync(endpoint, result.GetValue(unit), start, words, token);
            }
            else
            {
                await transport.ReadHoldingRegistersAsync(endpoint, result.GetValue(unit), start, words, token);
            }

            for (var i = 0; i < values; i++)
            {
                var point = new RegisterMaps.RegisterDefinition { Name = "value", Address = (ushort)(start + (i * width)), DataType = dataType, Order = result.GetValue(order) };
                var reading = RegisterMaps.RegisterDecoder.Decode(point, words.AsSpan(i * width, width));
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[{point.Address}]: {(object?)reading.Text ?? reading.Value}"));
            }

            return Ok;
        }));
        return new Command("registers", "Talk to a device directly.") { read };
    }

    /// <summary>Runs a command, turning the library's typed errors into one line on stderr and an exit code.</summary>
    private static async Task<int> GuardAsync(TextWriter error, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (DeviceFilterException ex)
        {
            await error.WriteLineAsync($"flux: {ex.Message}");
            return Usage;
        }
        catch (Exception ex) when (ex is FluxDevicesException or Npgsql.NpgsqlException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            await error.WriteLineAsync($"flux: {ex.Message}");
            return Failed;
        }
    }

    private static async Task<Device> FindAsync(IDeviceRegistry registry, string nameOrId, CancellationToken cancellationToken) =>
        (Guid.TryParse(nameOrId, out var id) ? await registry.GetAsync(id, cancellationToken) : await registry.GetByNameAsync(nameOrId, cancellationToken))
        ?? throw new DeviceNotFoundException(nameOrId);

    private static bool IsJson(ParseResult result) => result.GetValue(OutputOption) == "json";

    private static async Task WriteDevicesAsync(TextWriter output, ParseResult result, IReadOnlyList<Device> devices, bool withMetadata = false)
    {
        if (IsJson(result))
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(devices, Json));
            return;
        }

        await Tables.WriteDevicesAsync(output, devices, withMetadata: withMetadata);
    }

    /// <summary>The registry on the store the command line names: a PostgreSQL connection string, else a SQLite file.</summary>
    private static async Task<OpenRegistry> OpenAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var store = result.GetValue(StoreOption)!;
        var services = new ServiceCollection();
        var builder = services.AddFluxDevices().UseModbusTcp();
        var postgres = store.Contains('=', StringComparison.Ordinal);
        if (postgres)
        {
            builder.UsePostgres(store);
        }
        else
        {
            builder.UseSqlite(store);
        }

        var provider = services.BuildServiceProvider();
        if (postgres)
        {
            await provider.GetRequiredService<PostgresDeviceStore>().MigrateAsync(cancellationToken);
        }

        return new OpenRegistry(provider);
    }

    /// <summary>Scan progress on one line of stderr, rewritten in place (reports come from the scan's parallel hosts).</summary>
    private sealed class LineProgress(TextWriter error) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value)
        {
            lock (error)
            {
                error.Write(string.Create(CultureInfo.InvariantCulture, $"\rscanned {value.HostsScanned}/{value.HostsTotal} hosts, {value.DevicesFound} device(s)"));
            }
        }
    }

    private sealed class OpenRegistry(ServiceProvider services) : IAsyncDisposable
    {
        public ServiceProvider Services { get; } = services;

        public IDeviceRegistry Registry => Services.GetRequiredService<IDeviceRegistry>();

        public async ValueTask DisposeAsync()
        {
            if (Services.GetRequiredService<Storage.IDeviceStore>() is Sqlite.SqliteDeviceStore sqlite)
            {
                sqlite.ReleaseFile();
            }

            await Services.DisposeAsync();
        }
    }
}
