using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Flux.Devices.Modbus.Server;

namespace Flux.Devices.Cli;

/// <summary>
/// The request record of <c>flux simulate --record FILE</c>: every request the simulated devices receive, as one line of
/// tab-separated fields, readable by another process while the simulator runs:
/// <code>
/// # flux simulate record v1: time_utc port connection remote unit function address quantity
/// 2026-12-07T05:12:23.1234567Z	21502	3	127.0.0.1:40022	17	3	2000	29
/// </code>
/// </summary>
/// <remarks>
/// <para>
/// A request costs the server one <see cref="Entry"/> (a struct, no allocation) put on a lock-free queue, bounded at
/// <see cref="Capacity"/> entries: when the writer falls that far behind, requests are counted as dropped instead of
/// queued. A writer task formats the queue into whole lines and appends them every <see cref="FlushInterval"/>, and once
/// more when disposed, then ends the file with <c># end: N requests, D dropped</c>. Every write is of whole lines, so a
/// reader never sees half a line except, rarely, while a write is under way: readers ignore a last line without its
/// line break.
/// </para>
/// <para>
/// <c>connection</c> numbers the connections of one port from 1; with <c>port</c> it names one client connection, and
/// <c>remote</c> is its address and port as the simulator saw it (the client's side of the socket).
/// </para>
/// </remarks>
internal sealed class RequestRecorder : IAsyncDisposable
{
    /// <summary>The first line of a record: its version and the fields of each line.</summary>
    public const string Header = "# flux simulate record v1: time_utc port connection remote unit function address quantity";

    /// <summary>How often the queue is written out.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentQueue<Entry> _queue = new();
    private readonly FileStream _file;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly Dictionary<(int Port, long Connection), byte[]> _remotes = [];
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly TimeSpan _flushInterval;
    private long _queued;
    private long _written;
    private long _dropped;

    private RequestRecorder(FileStream file, int capacity, TimeSpan flushInterval)
    {
        _file = file;
        Capacity = capacity;
        _flushInterval = flushInterval;
        var header = Encoding.UTF8.GetBytes(Header + "\n");
        _file.Write(header);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Gets the most requests waiting to be written; more are dropped and counted.</summary>
    public int Capacity { get; }

    /// <summary>Gets how many requests were dropped because the writer was <see cref="Capacity"/> behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Creates (or truncates) the record file and starts writing to it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="capacity">The most requests waiting to be written.</param>
    /// <param name="flushInterval">How often the queue is written out; <see cref="Timeout.InfiniteTimeSpan"/> for only at the end (tests). <see cref="FlushInterval"/> by default.</param>
    /// <returns>The recorder.</returns>
    public static RequestRecorder Create(string path, int capacity = 1 << 20, TimeSpan? flushInterval = null)
    {
        // No buffering of the stream's own: each write is whole lines (see remarks).
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        return new RequestRecorder(file, capacity, flushInterval ?? FlushInterval);
    }

    /// <summary>Records the requests a server receives.</summary>
    /// <param name="server">The server; its port is written with each of its requests.</param>
    public void Attach(ModbusTcpServer server)
    {
        var port = server.LocalEndPoint.Port;
        server.RequestReceived += request => Add(port, request);
    }

    /// <summary>Queues one request (called by the server, on its connections' threads).</summary>
    public void Add(int port, in ModbusRequestRecord request)
    {
        if (Interlocked.Increment(ref _queued) > Capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue(new Entry(DateTime.UtcNow.Ticks, port, request.ConnectionId, request.RemoteEndPoint, request.UnitId, request.FunctionCode, request.Address, request.Quantity));
    }

    /// <summary>Writes what is queued, ends the record and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _writer;
        Drain();
        var end = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"# end: {_written} requests, {Dropped} dropped\n"));
        await _file.WriteAsync(end);
        await _file.FlushAsync();
        await _file.DisposeAsync();
        _stop.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        using var timer = new PeriodicTimer(_flushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Drain();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the last drain is DisposeAsync's.
        }
    }

    /// <summary>Writes every queued request, as whole lines, a buffer at a time.</summary>
    private void Drain()
    {
        var filled = 0;
        while (_queue.TryDequeue(out var entry))
        {
            Interlocked.Decrement(ref _queued);
            if (_buffer.Length - filled < MaxLineLength)
            {
                _file.Write(_buffer, 0, filled);
                filled = 0;
            }

            filled += Format(entry, _buffer.AsSpan(filled));
            _written++;
        }

        if (filled > 0)
        {
            _file.Write(_buffer, 0, filled);
        }
    }

    /// <summary>The longest line: a time (28), a port (5), a connection (20), an endpoint (47), 4 numbers (18), 8 separators.</summary>
    private const int MaxLineLength = 160;

    private int Format(in Entry entry, Span<byte> line)
    {
        var at = 0;
        new DateTime(entry.Ticks, DateTimeKind.Utc).TryFormat(line, out var written, "O", CultureInfo.InvariantCulture);
        at += written;
        line[at++] = (byte)'\t';
        entry.Port.TryFormat(line[at..], out written, provider: CultureInfo.InvariantCulture);
        at += written;
        line[at++] = (byte)'\t';
        entry.Connection.TryFormat(line[at..], out written, provider: CultureInfo.InvariantCulture);
        at += written;
        line[at++] = (byte)'\t';
        var remote = Remote(entry);
        remote.CopyTo(line[at..]);
        at += remote.Length;
        foreach (var value in (ReadOnlySpan<int>)[entry.UnitId, entry.Function, entry.Address, entry.Quantity])
        {
            line[at++] = (byte)'\t';
            value.TryFormat(line[at..], out written, provider: CultureInfo.InvariantCulture);
            at += written;
        }

        line[at++] = (byte)'\n';
        return at;
    }

    /// <summary>The client's endpoint as text, made once per connection.</summary>
    private byte[] Remote(in Entry entry)
    {
        if (!_remotes.TryGetValue((entry.Port, entry.Connection), out var text))
        {
            text = Encoding.ASCII.GetBytes(entry.Remote?.ToString() ?? "-");
            _remotes[(entry.Port, entry.Connection)] = text;
        }

        return text;
    }

    /// <summary>One request as queued: no reference but the connection's endpoint, which the server made once.</summary>
    private readonly record struct Entry(long Ticks, int Port, long Connection, IPEndPoint? Remote, byte UnitId, byte Function, ushort Address, ushort Quantity);
}

/// <summary>One line of a <see cref="RequestRecorder"/> record, as a reader (a test, a benchmark) parses it.</summary>
/// <param name="Time">When the simulator received it (UTC).</param>
/// <param name="Port">The simulator's port.</param>
/// <param name="Connection">The connection's number on that port.</param>
/// <param name="Remote">The client's address and port.</param>
/// <param name="UnitId">The unit id.</param>
/// <param name="Function">The function code.</param>
/// <param name="Address">The first address.</param>
/// <param name="Quantity">The quantity.</param>
internal sealed record RecordedRequest(DateTime Time, int Port, long Connection, string Remote, byte UnitId, byte Function, ushort Address, ushort Quantity)
{
    /// <summary>Reads a record: every complete request line (comments and an unterminated last line are skipped).</summary>
    /// <param name="text">The file's text.</param>
    /// <returns>The requests, in the order written.</returns>
    /// <exception cref="FormatException">A line is not a request line.</exception>
    public static List<RecordedRequest> Parse(string text)
    {
        var requests = new List<RecordedRequest>();
        var end = text.LastIndexOf('\n');
        foreach (var line in text[..(end + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var f = line.Split('\t');
            if (f.Length != 8)
            {
                throw new FormatException($"Not a request line: '{line}'.");
            }

            var c = CultureInfo.InvariantCulture;
            requests.Add(new RecordedRequest(
                DateTime.Parse(f[0], c, DateTimeStyles.RoundtripKind),
                int.Parse(f[1], c),
                long.Parse(f[2], c),
                f[3],
                byte.Parse(f[4], c),
                byte.Parse(f[5], c),
                ushort.Parse(f[6], c),
                ushort.Parse(f[7], c)));
        }

        return requests;
    }
}
