using System.Diagnostics;
using System.Globalization;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// <c>flux</c> as a real OS process (<c>dotnet flux.dll ...</c>, the build the tests reference): its stdout and stderr
/// read line by line as they come, awaitable (<see cref="WaitForOutputLineAsync"/>, <see cref="WaitForErrorLineAsync"/>),
/// POSIX signals sent to it (SIGTERM, SIGINT, SIGKILL, SIGSTOP, SIGCONT, with the system's <c>kill</c>), and its exit
/// awaited. Disposing kills it if it still runs. For <c>flux simulate --fleet</c> and <c>flux monitor</c>, which run
/// until signalled.
/// </summary>
internal sealed class FluxChildProcess : IAsyncDisposable
{
    /// <summary>How long a wait for a line or an exit may take before the test fails: generous, for a busy 2-core machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Task _reading;

    private FluxChildProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(PumpAsync(process.StandardOutput, Output), PumpAsync(process.StandardError, Error));
    }

    /// <summary>Gets the process id.</summary>
    public int Id => _process.Id;

    /// <summary>Gets what it wrote on stdout so far.</summary>
    public LineWriter Output { get; } = new();

    /// <summary>Gets what it wrote on stderr so far.</summary>
    public LineWriter Error { get; } = new();

    /// <summary>Gets whether it has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>flux</c> with these arguments (and environment variables added to the test's).</summary>
    public static FluxChildProcess Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "flux.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("NOTIFY_SOCKET"); // the test runner's own, if it runs under systemd
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new FluxChildProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    /// <summary>Waits for a line on stdout that matches; fails when the process ends first or <see cref="Patience"/> passes.</summary>
    public Task<string> WaitForOutputLineAsync(Func<string, bool> match) => WaitForLineAsync(Output, match, "stdout");

    /// <summary>Waits for a line on stderr that matches; fails when the process ends first or <see cref="Patience"/> passes.</summary>
    public Task<string> WaitForErrorLineAsync(Func<string, bool> match) => WaitForLineAsync(Error, match, "stderr");

    /// <summary>Sends a signal (<c>TERM</c>, <c>INT</c>, <c>KILL</c>, <c>STOP</c>, <c>CONT</c>) with the system's <c>kill</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("-s");
        start.ArgumentList.Add(signal);
        start.ArgumentList.Add(Id.ToString(CultureInfo.InvariantCulture));
        using var kill = Process.Start(start)!;
        var error = await kill.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(kill.ExitCode == 0, $"kill -s {signal} {Id}: {error}");
    }

    /// <summary>Waits (<see cref="Patience"/> at most) for the process to end and for its output to be read; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"flux (pid {Id}) did not end within {Patience}.\nstdout: {Output}\nstderr: {Error}");
        }

        await _reading.WaitAsync(Patience, TestContext.Current.CancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Kills the process if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        await _reading.WaitAsync(Patience, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    public override string ToString() => $"flux (pid {Id})\nstdout: {Output}\nstderr: {Error}";

    private static async Task PumpAsync(StreamReader reader, LineWriter lines)
    {
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.WriteLine(line);
        }
    }

    private async Task<string> WaitForLineAsync(LineWriter lines, Func<string, bool> match, string stream)
    {
        var line = lines.WaitForLineAsync(match);
        var first = await Task.WhenAny(line, _reading, Task.Delay(Patience, TestContext.Current.CancellationToken));
        if (first != line)
        {
            // The streams may close just before the last lines are matched: look once more.
            await Task.Yield();
        }

        Assert.True(line.IsCompleted, $"No matching line on {stream} within {Patience}; flux {(first == _reading ? "ended" : "is still running")}.\n{this}");
        return await line;
    }
}
