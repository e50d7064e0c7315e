using System.Text.Json;
using System.Text.RegularExpressions;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// The README's SunSpec story block (after <c>&lt;!-- readme: sunspec story --&gt;</c>), run against <c>flux simulate</c>:
/// its commands in order, each output line it shows found in what <c>flux</c> prints (times and response times aside,
/// the port the simulated SunSpec host got instead of 1502, the shipped templates for <c>templates/</c>).
/// </summary>
public sealed partial class ReadmeSunSpecStoryTests : FluxTestBed
{
    [Fact]
    public async Task TheReadmeSunSpecStory_RunsAsShown_AgainstFluxSimulate()
    {
        var steps = StoryBlock();
        Assert.True(steps.Count >= 6, $"README.md's SunSpec story has {steps.Count} commands");
        Assert.Contains(steps, s => s.Command.StartsWith("devices read", StringComparison.Ordinal) && s.Command.Contains("203.", StringComparison.Ordinal));

        await using var simulate = FluxProcess.Start("simulate", "--site", "WLCE", "--port", "0", "--output", "json");
        using var json = JsonDocument.Parse(await simulate.WaitForLineAsync(l => l.StartsWith('{')));
        var port = json.RootElement.GetProperty("endpoints").EnumerateArray().First(e => e.GetProperty("host").GetString() == "127.0.0.3").GetProperty("port").GetInt32();
        var shipped = Path.Combine(AppContext.BaseDirectory, "templates") + Path.DirectorySeparatorChar;

        foreach (var (command, shown) in steps)
        {
            var args = Words(command.Replace("1502", $"{port}", StringComparison.Ordinal))
                .Select(a => a.StartsWith("templates/", StringComparison.Ordinal) ? shipped + a["templates/".Length..] : a)
                .ToList();
            var (code, output, error) = await FluxProcess.RunAsync([.. args, "--store", Store]);
            Assert.True(code == FluxCli.Ok, $"README.md: `flux {command}` exited with {code}\n{output}{error}");
            var printed = Normalize(output + error).Split('\n');
            foreach (var line in shown.Select(l => Normalize(l.Replace("1502", $"{port}", StringComparison.Ordinal))).Where(l => l.Length > 0))
            {
                Assert.True(printed.Contains(line), $"README.md: `flux {command}` shows\n  {line}\nbut flux printed\n{output}{error}");
            }
        }

        Assert.Equal(FluxCli.Ok, await simulate.StopAsync());
    }

    /// <summary>The commands of the block (a line ending in <c>\</c> continues on the next) and the lines shown after each.</summary>
    private static List<(string Command, List<string> Shown)> StoryBlock()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "README.md"));
        var at = Array.FindIndex(lines, l => l.Trim() == "<!-- readme: sunspec story -->");
        Assert.True(at >= 0 && lines[at + 1] == "```console", "README.md has no SunSpec story block");
        var steps = new List<(string Command, List<string> Shown)>();
        for (var i = at + 2; lines[i] != "```"; i++)
        {
            if (lines[i].StartsWith("$ flux ", StringComparison.Ordinal))
            {
                var command = lines[i]["$ flux ".Length..];
                while (command.EndsWith('\\'))
                {
                    command = command[..^1] + " " + lines[++i].Trim();
                }

                steps.Add((command, []));
            }
            else
            {
                steps[^1].Shown.Add(lines[i]);
            }
        }

        return steps;
    }

    /// <summary>A command line's words, double quotes grouping.</summary>
    private static List<string> Words(string command) =>
        Word().Matches(command).Select(m => m.Value.Replace("\"", string.Empty, StringComparison.Ordinal)).ToList();

    private static string Normalize(string text)
    {
        text = Times().Replace(text, "<time>");
        text = HealthMs().Replace(text, "$1 <ms>");
        return string.Join('\n', text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim()));
    }

    [GeneratedRegex(@"(""[^""]*""|[^\s""])+")]
    private static partial Regex Word();

    [GeneratedRegex(@"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex Times();

    [GeneratedRegex(@"(Online|Offline) +\d+")]
    private static partial Regex HealthMs();

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Spaces();
}
