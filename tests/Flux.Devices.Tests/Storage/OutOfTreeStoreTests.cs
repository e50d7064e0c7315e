using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Flux.Devices.Tests.Storage;

/// <summary>
/// A store written outside the solution passes the contract suite, built against the packages alone: Flux.Devices and
/// Flux.Devices.Testing are packed (once, from this build's output) into a temporary folder at a version of this run's
/// own, and the project in tests/OutOfTree/StoreFromScratch, copied next to them, restores them from there (a
/// NuGet.config adds the folder to the sources the machine restores from) and runs <c>dotnet test</c>.
/// </summary>
public sealed partial class OutOfTreeStoreTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(10);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("flux-outoftree-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact(Timeout = 1_200_000)]
    public async Task StoreWrittenAgainstThePackages_PassesTheContractSuite()
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var suffix = $"oot.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}"; // never in the package cache before
        var packages = Path.Combine(_work.FullName, "packages");
        var project = Path.Combine(_work.FullName, "StoreFromScratch");
        Directory.CreateDirectory(project);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "tests", "OutOfTree", "StoreFromScratch")))
        {
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
        }

        File.Copy(Path.Combine(root, "global.json"), Path.Combine(_work.FullName, "global.json"));
        File.WriteAllText(Path.Combine(_work.FullName, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="flux-packed" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        var pack = await DotnetAsync(root, "pack", Path.Combine("tests", "OutOfTree", "packages.slnf"), "--no-build", "--no-restore", "-c", configuration,
            "-o", packages, $"-p:VersionSuffix={suffix}", $"-p:NuspecOutputPath={Path.Combine(_work.FullName, "nuspec")}");
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed:\n{Quote(pack.Output)}");
        var version = $"0.1.0-{suffix}";
        Assert.True(File.Exists(Path.Combine(packages, $"Flux.Devices.Testing.{version}.nupkg")), $"no Flux.Devices.Testing {version} in {packages}:\n{Quote(pack.Output)}");

        try
        {
            var test = await DotnetAsync(project, "test", $"-p:FluxVersion={version}");

            var summary = Summary().Match(test.Output);
            Assert.True(summary.Success, $"dotnet test printed no summary (exit code {test.ExitCode}):\n{Quote(test.Output)}");
            Assert.True(test.ExitCode == 0 && summary.Groups["failed"].Value == "0" && summary.Groups["skipped"].Value == "0", $"the out-of-tree store failed the contract:\n{Quote(test.Output)}");
            Assert.True(int.Parse(summary.Groups["passed"].Value, System.Globalization.CultureInfo.InvariantCulture) > 50, summary.Value);
        }
        finally
        {
            ForgetCachedPackages(version);
        }
    }

    /// <summary>The line dotnet test ends with: <c>Passed!  - Failed: 0, Passed: 60, Skipped: 0, ...</c>.</summary>
    [GeneratedRegex(@"(Passed|Failed)! +- Failed: +(?<failed>\d+), Passed: +(?<passed>\d+), Skipped: +(?<skipped>\d+)")]
    private static partial Regex Summary();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Flux.Devices.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Flux.Devices.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Runs the .NET CLI outside this test run: without the MSBuild and test-host variables the outer run set.</summary>
    private static async Task<(int ExitCode, string Output)> DotnetAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var lines = new Lock();
        process.OutputDataReceived += (_, e) => { lock (lines) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lines) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(Generous);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} ran over {Generous}:\n{Quote(output.ToString())}");
        }

        process.WaitForExit(); // the last output lines
        lock (lines)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>The tail of a tool's output, each line marked so that no line of it reads as this run's own summary.</summary>
    private static string Quote(string output) =>
        string.Join('\n', output.Split('\n').TakeLast(80).Select(l => "  | " + l.TrimEnd('\r')));

    /// <summary>Removes this run's packages from the machine's package cache, where every run would leave a version.</summary>
    private static void ForgetCachedPackages(string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "flux.devices", "flux.devices.testing" })
        {
            var folder = Path.Combine(cache, id, version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
