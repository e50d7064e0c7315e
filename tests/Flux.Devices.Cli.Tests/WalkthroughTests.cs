using System.Text;
using System.Text.RegularExpressions;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// The story block of docs/cli.md's walkthrough (after <c>&lt;!-- walkthrough: story --&gt;</c>), run: its commands in
/// order against simulated PowerPacks, each output line it shows found in what <c>flux</c> prints (times, ids, response
/// times, the archive's counts and the output folder aside). A command commented "N minutes later" / "N hours later" runs after the test moved
/// the store's maintenance windows that far back, which is the clock moving on for them.
/// </summary>
public sealed partial class WalkthroughTests : PowerPackTestBed
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Server.AddUnit(3, new PowerPackBessSimulator(capacityKwh: 250, initialSoe: 0.5));

        // As the walkthrough's first steps leave them: registered by the scan, configured by the spec's template.
        await WithServicesAsync(async services =>
        {
            var registry = services.GetRequiredService<IDeviceRegistry>();
            foreach (var (name, unit) in new[] { ("WLCE-BESS-1", 1), ("WLCE-BESS-3", 3) })
            {
                var registration = SpecSamples.Bess(name, modbusAddress: unit);
                registration = registration with { Metadata = registration.Metadata.With("ip_address", "127.0.0.1").With("port", (long)Server.Endpoint.Port) };
                await registry.RegisterAsync(registration, "flux scan", Cancel);
            }

            var templates = services.GetRequiredService<IDeviceTemplateService>();
            var template = await services.GetRequiredService<DeviceTemplateLoader>().LoadFileAsync(Template, Cancel);
            await templates.CommitAsync(await templates.PlanAsync(template, DeviceFilter.Parse("type=bess,site=WLCE"), Cancel), "flux", Cancel);
        });

        // The walkthrough's block before it: the first health poll, a read (stored telemetry), then the setpoint.
        await RunAsync("devices", "health");
        await RunAsync("devices", "read", "WLCE-BESS-1");
        await RunAsync("devices", "write", "WLCE-BESS-1", "target_power=50", "--reason", "Peak shaving", "--actor", "alice", "--commit");
    }

    [Fact]
    public async Task TheStoryBlock_RunsAsShown()
    {
        var steps = StoryBlock();
        Assert.True(steps.Count >= 10, $"docs/cli.md's story block has {steps.Count} commands");
        foreach (var (command, shown) in steps)
        {
            if (Later().Match(command) is { Success: true } later)
            {
                var by = int.Parse(later.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                await MoveWindowsBackAsync(later.Groups[2].Value.StartsWith("minute", StringComparison.Ordinal) ? TimeSpan.FromMinutes(by) : TimeSpan.FromHours(by));
            }

            var args = Arguments(command).Select(a => a.EndsWith(".jsonl", StringComparison.Ordinal) ? Path.Combine(Directory, a) : a).ToList();
            var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);
            var printed = Normalize(output + error).Split('\n');
            foreach (var line in shown.Select(Normalize).Where(l => l.Length > 0))
            {
                Assert.True(printed.Contains(line), $"docs/cli.md: `{command}` shows\n  {line}\nbut flux (exit code {code}) printed\n{output}{error}");
            }
        }

        await WithServicesAsync(async services =>
        {
            var registry = services.GetRequiredService<IDeviceRegistry>();
            Assert.Equal(DeviceState.Active, (await registry.GetByNameAsync("WLCE-BESS-1", Cancel))!.State);
            Assert.Equal(DeviceState.Decommissioned, (await registry.GetByNameAsync("WLCE-BESS-3", Cancel))!.State);
        });
        Assert.True(File.Exists(Path.Combine(Directory, "wlce-bess-3.jsonl")));
    }

    private async Task RunAsync(params string[] args)
    {
        var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);
        Assert.True(code == 0, $"flux {string.Join(' ', args)}: exit code {code}\n{output}{error}");
    }

    /// <summary>The clock moving on for the maintenance windows: every window of the store starts and ends that much earlier.</summary>
    private async Task MoveWindowsBackAsync(TimeSpan by)
    {
        await using var connection = new SqliteConnection($"Data Source={Store};Pooling=False");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE maintenance_windows SET starts_at = starts_at - $by, ends_at = ends_at - $by, created_at = created_at - $by";
        command.Parameters.AddWithValue("$by", by.Ticks);
        Assert.True(await command.ExecuteNonQueryAsync(Cancel) > 0, "no maintenance window to move");
    }

    /// <summary>The commands of the story block (without their comments' text other than "later") and the lines shown after each.</summary>
    private static List<(string Command, List<string> Shown)> StoryBlock()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "docs", "cli.md"));
        var at = Array.FindIndex(lines, l => l.Trim() == "<!-- walkthrough: story -->");
        Assert.True(at >= 0 && lines[at + 1] == "```console", "docs/cli.md has no story block");
        var steps = new List<(string, List<string>)>();
        for (var i = at + 2; lines[i] != "```"; i++)
        {
            if (lines[i].StartsWith("$ flux ", StringComparison.Ordinal))
            {
                steps.Add((lines[i]["$ flux ".Length..], []));
            }
            else
            {
                steps[^1].Item2.Add(lines[i]);
            }
        }

        return steps;
    }

    /// <summary>A command line's words, double quotes grouping; a <c>#</c> outside quotes starts a comment.</summary>
    private static List<string> Arguments(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in command)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (!quoted && c == '#')
            {
                break;
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                if (any)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private string Normalize(string text)
    {
        text = text.Replace(Directory + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);
        text = Times().Replace(text, "<time>");
        text = Ids().Replace(text, "<id>");
        text = Milliseconds().Replace(text, "$1 <ms>");
        text = HealthMs().Replace(text, "$1 <ms>");
        text = ArchiveCounts().Replace(text, "<n> $1");
        return string.Join('\n', text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim()));
    }

    [GeneratedRegex(@"# (\d+) (minutes?|hours?) later")]
    private static partial Regex Later();

    [GeneratedRegex(@"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex Times();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Ids();

    [GeneratedRegex(@"(in) \d+ ms")]
    private static partial Regex Milliseconds();

    [GeneratedRegex(@"(Online|Offline) +\d+")]
    private static partial Regex HealthMs();

    [GeneratedRegex(@"\d+ (lines|device|history|health|telemetry|archived)\b")]
    private static partial Regex ArchiveCounts();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();
}
