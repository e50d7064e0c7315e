using System.Text;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// The table of bad input in docs/cli.md, run: each row's example input gives the row's exit code and its line on stderr,
/// so that the table and the tool cannot drift apart. A row added to the table needs its input here.
/// </summary>
public sealed class BadInputTableTests : FluxTestBed
{
    /// <summary>The folder the table's examples use, for this test's own.</summary>
    private const string ReadmeFolder = "/srv/flux";

    public override async ValueTask InitializeAsync()
    {
        await WithRegistryAsync(async registry =>
        {
            var device = await registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-1"), cancellationToken: Cancel);
            foreach (var trigger in new[] { DeviceTrigger.DeployConfig, DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded })
            {
                device = await registry.FireAsync(device.Id, trigger, cancellationToken: Cancel);
            }

            var inMaintenance = await registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-2", modbusAddress: 2), cancellationToken: Cancel);
            foreach (var trigger in new[] { DeviceTrigger.DeployConfig, DeviceTrigger.PollAttempted, DeviceTrigger.PollSucceeded, DeviceTrigger.EnterMaintenance })
            {
                inMaintenance = await registry.FireAsync(inMaintenance.Id, trigger, "test", cancellationToken: Cancel);
            }
        });
        await WithServicesAsync(async services =>
        {
            var device = await services.GetRequiredService<IDeviceRegistry>().GetByNameAsync("WLCE-BESS-1", Cancel);
            await services.GetRequiredService<Flux.Devices.Maintenance.IMaintenanceScheduler>().ScheduleAsync(device!.Id, DateTimeOffset.UtcNow.AddMinutes(30), TimeSpan.FromHours(2), cancellationToken: Cancel);
        });
        await File.WriteAllBytesAsync(Path.Combine(Directory, "bess.json"), [.. Encoding.UTF8.GetBytes("{\n  \"manufacturer\": \"Accuenergy\",\n  \"note\": \"caf"), 0xE9, .. "\"\n}"u8], Cancel);
        await File.WriteAllTextAsync(Path.Combine(Directory, "bad.yaml"), "device_template:\n  type: bess\n  default_config:\n    polling_interval: soon\n", Cancel);
    }

    [Fact]
    public async Task BadInputTable_GivesItsExitCodesAndLines()
    {
        var rows = Table();
        string[][] inputs =
        [
            [],
            ["device", "list"],
            ["devices", "register", "X", "--type", "bess"],
            ["registers", "read", "--host", "127.0.0.1", "--port", "abc", "--address", "0"],
            ["devices", "list", "--output", "xml"],
            ["devices", "scan", "10.0.0.0/8"],
            ["devices", "register", "X", "--type", "bess", "--site", "WLCE", "--metadata", "{bad json"],
            ["devices", "register", "X", "--type", "bess", "--site", "WLCE", "--metadata", $"@{Directory}/bess.json"],
            ["devices", "update", "WLCE-BESS-1", "--set", "note=caf\uFFFD"],
            ["devices", "list", "--store", "Host=127.0.0.1;Port=notaport"],
            ["devices", "register", "X", "--type", "bess", "--site", "WLCE", "--store", Directory],
            ["devices", "scan", "127.0.0.1", "--tls", "--framing", "rtu"],
            ["registers", "read", "--host", "127.0.0.1", "--tls", "--address", "0"],
            ["registers", "read", "--host", "ftp://127.0.0.1", "--address", "0"],
            ["devices", "write", "WLCE-BESS-1", "target_power=fifty", "--reason", "test"],
            ["devices", "telemetry", "WLCE-BESS-1", "--since", "soon"],
            ["devices", "archive", "WLCE-BESS-1", "--output", $"{Directory}/bess.json"],
            ["devices", "maintenance", "schedule", "WLCE-BESS-1", "--at", "soon", "--duration", "2h"],
            ["devices", "register", "X", "--type", "bess", "--site", "WLCE", "--metadata", """{"manufacturer": "PowerPack", "model": "PP-250", "capacity_kwh": 250, "max_power_kw": 50, "efficiency": 1.5, "modbus_address": 2}"""],
            ["devices", "apply-template", "--template", $"{Directory}/bad.yaml", "--filter", "type=bess"],
            ["devices", "register", "X", "--type", "bess", "--site", "WLCE", "--metadata", $"@{Directory}/nope.json"],
            ["registers", "read", "--host", "mbaps://127.0.0.1", "--tls-cert", $"{Directory}/nope.crt", "--address", "0"],
            ["devices", "register", "X", "--type", "bess", "--site", "WLCE", "--store", "/nonexistent/dir/flux.db"],
            ["devices", "maintenance", "exit", "WLCE-BESS-1"],
            ["devices", "maintenance", "schedule", "WLCE-BESS-1", "--at", "1h", "--duration", "1h"],
            ["devices", "write", "WLCE-BESS-2", "target_power=50", "--reason", "test", "--commit"],
            ["devices", "list", "--store", "Host=127.0.0.1;Port=1;Username=flux;Timeout=5"],
        ];

        Assert.Equal(inputs.Length, rows.Count);
        foreach (var ((what, code, line), input) in rows.Zip(inputs))
        {
            var args = input.Contains("--store") ? input : [.. input, "--store", Store];
            var (actualCode, output, error) = await FluxProcess.RunAsync(args);

            Assert.True(code == actualCode, $"'{what}': docs/cli.md says exit code {code}, flux exits {actualCode} ({error.Trim()})");
            if (line == "(the help, on stdout)")
            {
                Assert.Equal(string.Empty, error);
                Assert.Contains("Usage:", output, StringComparison.Ordinal);
                continue;
            }

            var expected = line.Replace(ReadmeFolder, Directory, StringComparison.Ordinal);
            var shown = error.TrimEnd('\n');
            var dots = expected.IndexOf("...", StringComparison.Ordinal);
            Assert.True(
                dots < 0 ? shown == expected : shown.StartsWith(expected[..dots], StringComparison.Ordinal) && !shown.Contains('\n', StringComparison.Ordinal),
                $"'{what}': docs/cli.md shows\n  {expected}\nflux prints\n  {shown}");
        }
    }

    /// <summary>The rows of the bad-input table of docs/cli.md: what, the exit code, the line on stderr (without its backticks).</summary>
    private static List<(string What, int Code, string Line)> Table()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "docs", "cli.md"));
        var header = Array.FindIndex(lines, l => l.StartsWith("| bad input | exit code |", StringComparison.Ordinal));
        Assert.True(header > 0, "docs/cli.md has no bad-input table.");
        return
        [
            .. lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).Select(row =>
            {
                var cells = row.Trim('|').Split(" | ");
                Assert.Equal(3, cells.Length);
                return (cells[0].Trim(), int.Parse(cells[1].Trim(), System.Globalization.CultureInfo.InvariantCulture), cells[2].Trim().Trim('`'));
            }),
        ];
    }
}
