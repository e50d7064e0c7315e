namespace Flux.Devices.Cli.Tests;

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
