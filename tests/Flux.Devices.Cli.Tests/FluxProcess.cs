namespace Flux.Devices.Cli.Tests;

/// <summary>Runs the command line through its entry point, capturing what it writes.</summary>
internal static class FluxProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await FluxCli.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs a command on a console, capturing what it writes.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(Func<TextWriter, TextWriter, CliConsole> console, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await FluxCli.RunAsync(args, console(output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Starts a command that runs until stopped (<c>simulate</c>, <c>health --watch</c>).</summary>
    public static RunningCommand Start(params string[] args) => new(args);
}

/// <summary>A command running until <see cref="StopAsync"/>; its output can be awaited line by line.</summary>
internal sealed class RunningCommand : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly Task<int> _run;

    public RunningCommand(string[] args) =>
        _run = Task.Run(() => FluxCli.RunAsync(args, Output, Error, _stop.Token));

    public LineWriter Output { get; } = new();

    public LineWriter Error { get; } = new();

    /// <summary>Waits (a generous minute at most) for a line of output that matches; fails when the command ends first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var line = Output.WaitForLineAsync(match);
        var first = await Task.WhenAny(line, _run, Task.Delay(Patience, TestContext.Current.CancellationToken));
        Assert.True(first == line, $"No matching line within {Patience}; the command {(first == _run ? $"ended with {_run.Result}" : "is still running")}.\nstdout: {Output}\nstderr: {Error}");
        return await line;
    }

    /// <summary>Stops the command as Ctrl+C does (cancels its token) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await _run.WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}

/// <summary>A thread-safe writer that keeps what was written and completes waiters when a matching line is written.</summary>
internal sealed class LineWriter : TextWriter
{
    private readonly Lock _gate = new();
    private readonly System.Text.StringBuilder _text = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];
    private int _checked;

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_gate)
        {
            foreach (var line in Lines(_text.ToString()[.._checked]))
            {
                if (match(line))
                {
                    return Task.FromResult(line);
                }
            }

            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task;
        }
    }

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _text.Append(value);
            var text = _text.ToString();
            var end = text.LastIndexOf('\n');
            if (end < _checked)
            {
                return;
            }

            foreach (var line in Lines(text[_checked..(end + 1)]))
            {
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    waiter.Done.TrySetResult(line);
                    _waiters.Remove(waiter);
                }
            }

            _checked = end + 1;
        }
    }

    public override void WriteLine(string? value) => Write(value + "\n");

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.ToString();
        }
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0);
}
