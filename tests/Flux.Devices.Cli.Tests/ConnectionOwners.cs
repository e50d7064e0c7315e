using System.Globalization;

namespace Flux.Devices.Cli.Tests;

/// <summary>
/// Which process a client connection of the simulator's record belongs to. The record names each request's client
/// endpoint (<c>127.0.0.1:PORT</c>); Linux tells which process holds a socket (<c>/proc/PID/fd</c> links to
/// <c>socket:[INODE]</c>) and which endpoints a socket joins (<c>/proc/net/tcp</c>). A background scan every 100 ms
/// notes, for every client port connected to the fleet, the label of the process that holds it; a request is then
/// attributed to the process seen with its client port nearest in time (a port the system reuses later for another
/// process is told apart by time). Connections are kept open between polls, so each is seen many times.
/// </summary>
internal sealed class ConnectionOwners : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, (int Pid, string Label)> _processes = [];
    private readonly Dictionary<int, List<(DateTime First, DateTime Last, string Label)>> _seen = [];
    private readonly HashSet<int> _serverPorts;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _scanning;

    /// <summary>Starts scanning for clients of the fleet's ports.</summary>
    public ConnectionOwners(IEnumerable<int> serverPorts)
    {
        _serverPorts = [.. serverPorts];
        _scanning = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Scan();
                await Task.Delay(100, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
    }

    /// <summary>Follows a process's connections under a label (a monitor's name; a restarted one gets a label of its own).</summary>
    public void Track(FluxChildProcess process, string label)
    {
        lock (_lock)
        {
            _processes[process.Id] = (process.Id, label);
        }

        Scan();
    }

    /// <summary>The label of the process that sent a request, or <c>?</c> when its connection was never seen.</summary>
    public string LabelOf(RecordedRequest request)
    {
        var colon = request.Remote.LastIndexOf(':');
        var port = int.Parse(request.Remote[(colon + 1)..], CultureInfo.InvariantCulture);
        lock (_lock)
        {
            if (!_seen.TryGetValue(port, out var seen))
            {
                return "?";
            }

            return seen.MinBy(s => request.Time < s.First ? (s.First - request.Time).Ticks : request.Time > s.Last ? (request.Time - s.Last).Ticks : 0).Label;
        }
    }

    /// <summary>The client ports a labelled process has connected to the fleet, as last seen.</summary>
    public HashSet<int> PortsOf(string label)
    {
        lock (_lock)
        {
            return [.. _seen.Where(s => s.Value[^1].Label == label).Select(s => s.Key)];
        }
    }

    /// <summary>Scans once, now (also done every 100 ms).</summary>
    public void Scan()
    {
        var now = DateTime.UtcNow;
        var sockets = new Dictionary<long, int>(); // inode -> client port, for sockets connected to the fleet
        foreach (var socket in ReadTcp())
        {
            if (_serverPorts.Contains(socket.RemotePort))
            {
                sockets[socket.Inode] = socket.LocalPort;
            }
        }

        List<(int Pid, string Label)> processes;
        lock (_lock)
        {
            processes = [.. _processes.Values];
        }

        foreach (var (pid, label) in processes)
        {
            string[] fds;
            try
            {
                fds = Directory.GetFiles($"/proc/{pid}/fd");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // it ended
            }

            foreach (var fd in fds)
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && long.TryParse(target.AsSpan(8, target.Length - 9), CultureInfo.InvariantCulture, out var inode)
                    && sockets.TryGetValue(inode, out var port))
                {
                    lock (_lock)
                    {
                        if (!_seen.TryGetValue(port, out var seen))
                        {
                            _seen[port] = seen = [];
                        }

                        if (seen.Count > 0 && seen[^1].Label == label)
                        {
                            seen[^1] = seen[^1] with { Last = now };
                        }
                        else
                        {
                            seen.Add((now, now, label));
                        }
                    }
                }
            }
        }
    }

    /// <summary>The sockets of <c>/proc/net/tcp</c> (IPv4): endpoints' ports, receive queue and inode.</summary>
    public static List<TcpSocket> ReadTcp()
    {
        var sockets = new List<TcpSocket>();
        foreach (var line in File.ReadAllLines("/proc/net/tcp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10)
            {
                continue;
            }

            sockets.Add(new TcpSocket(
                f[1][..8],
                int.Parse(f[1][9..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                int.Parse(f[2][9..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(f[4][9..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(f[9], CultureInfo.InvariantCulture)));
        }

        return sockets;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _scanning;
        _stop.Dispose();
    }

    /// <summary>A socket: its local address (hex, as the kernel prints it), local and remote ports, bytes waiting to be read, inode.</summary>
    internal readonly record struct TcpSocket(string LocalAddress, int LocalPort, int RemotePort, long ReceiveQueue, long Inode);
}
