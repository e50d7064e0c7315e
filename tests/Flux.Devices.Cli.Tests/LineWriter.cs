namespace Flux.Devices.Cli.Tests;

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
