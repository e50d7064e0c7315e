using Flux.Devices.Templates;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>What a network scan covers and how gently it goes (<see cref="IDeviceScanner"/>).</summary>
/// <remarks>
/// The defaults follow the spec's scan (port 502, unit ids 1 to 9, half a second to connect) and the manners of
/// scanners trusted on industrial networks: a bounded number of hosts at once, one connection per host, a request
/// rate cap per host, and a time budget per host.
/// </remarks>
public sealed record DeviceScanOptions
{
    /// <summary>Gets the hosts to scan, such as <c>HostSet.Parse("127.0.0.0/24")</c>.</summary>
    public required HostSet Hosts { get; init; }

    /// <summary>Gets the TCP ports to try on each host, in order.</summary>
    /// <value>The default value is 502.</value>
    public IReadOnlyList<int> Ports { get; init; } = [ModbusEndpoint.DefaultPort];

    /// <summary>
    /// Gets the framing spoken on every port scanned: Modbus TCP, or RTU frames through transparent TCP gateways.
    /// Devices found are registered with it (metadata <c>modbus_framing: rtu</c> for RTU over TCP).
    /// </summary>
    /// <value>The default value is <see cref="ModbusFraming.Tcp"/>.</value>
    public ModbusFraming Framing { get; init; } = ModbusFraming.Tcp;

    /// <summary>
    /// Gets whether every port is scanned with Modbus/TCP Security (TLS, with the client certificate and trusted
    /// authorities of the host's <c>ModbusTcpOptions.Tls</c>). Devices found are registered with it (metadata
    /// <c>modbus_tls: true</c>). TLS carries Modbus TCP framing only: it cannot be combined with
    /// <see cref="ModbusFraming.RtuOverTcp"/>.
    /// </summary>
    /// <value>The default value is <see langword="false"/>. Scan port 802, the Modbus/TCP Security port, with it.</value>
    public bool UseTls { get; init; }

    /// <summary>Gets the unit ids to try on each open port, in order: 1 to 247, or 255 (never 0, the broadcast id).</summary>
    /// <value>The default value is 1 to 9, as in the spec.</value>
    public IReadOnlyList<byte> UnitIds { get; init; } = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    /// <summary>Gets hosts never to contact, even when <see cref="Hosts"/> covers them.</summary>
    public HostSet Exclude { get; init; } = HostSet.Empty;

    /// <summary>
    /// Gets endpoints never to contact: typically those of registered devices, so that a scan never opens a second
    /// connection to a device a poller is using (many devices accept only one or two).
    /// </summary>
    public IReadOnlySet<ModbusEndpoint> ExcludeEndpoints { get; init; } = new HashSet<ModbusEndpoint>();

    /// <summary>
    /// Gets unit ids never to ask at an endpoint: typically those of registered devices behind a gateway, so that a
    /// rescan finds the units added next to them without asking the registered ones again. An endpoint whose every unit
    /// id to scan is excluded is not connected to. <see cref="ScanProgress.UnitsExcluded"/> counts what was left out.
    /// </summary>
    public IReadOnlySet<ModbusUnitAddress> ExcludeUnits { get; init; } = new HashSet<ModbusUnitAddress>();

    /// <summary>Gets the longest a TCP connect may take.</summary>
    /// <value>The default value is 0.5 seconds, as in the spec. It must be from 1 millisecond to 1 minute.</value>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Gets the deadline of each request (a connect included).</summary>
    /// <value>The default value is 1 second. It must be from 1 millisecond to 1 minute.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how many hosts are scanned at once; each has one connection at a time.</summary>
    /// <value>The default value is 64. It must be from 1 to 1,024.</value>
    public int MaxConcurrentHosts { get; init; } = 64;

    /// <summary>Gets the most requests per second sent to one host.</summary>
    /// <value>The default value is 20. It must be from 1 to 1,000.</value>
    public int MaxRequestsPerSecondPerHost { get; init; } = 20;

    /// <summary>
    /// Gets after how many timeouts in a row, with no answer yet, a port is given up: a host that accepts connections
    /// and never answers (a stalled device) costs this many request deadlines, not one per unit id.
    /// </summary>
    /// <value>The default value is 2. It must be from 1 to 255.</value>
    public int SilentTimeoutsPerPort { get; init; } = 2;

    /// <summary>Gets the most time spent on one host, all its ports, unit ids and probes included.</summary>
    /// <value>The default value is 60 seconds. It must be from 1 millisecond to 1 hour.</value>
    public TimeSpan HostBudget { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets templates whose manufacturer identifies devices by their Read Device Identification vendor name.</summary>
    public IReadOnlyList<DeviceTemplate> Templates { get; init; } = [];

    /// <summary>Checks every option, naming the first one out of range.</summary>
    /// <exception cref="ArgumentException">An option is out of its documented range; the parameter name is the option's.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Hosts, nameof(Hosts));
        ArgumentNullException.ThrowIfNull(Exclude, nameof(Exclude));
        ArgumentNullException.ThrowIfNull(ExcludeEndpoints, nameof(ExcludeEndpoints));
        ArgumentNullException.ThrowIfNull(ExcludeUnits, nameof(ExcludeUnits));
        ArgumentNullException.ThrowIfNull(Templates, nameof(Templates));
        if (Ports is not { Count: > 0 } || Ports.Any(p => p is < 1 or > 65535))
        {
            throw new ArgumentException("Ports must hold at least one port, each from 1 to 65535.", nameof(Ports));
        }

        if (UnitIds is not { Count: > 0 } || UnitIds.Any(u => u is 0 or (> 247 and < 255)))
        {
            throw new ArgumentException("UnitIds must hold at least one unit id, each from 1 to 247 or 255; 0 is the broadcast id, which no device answers.", nameof(UnitIds));
        }

        if (!Enum.IsDefined(Framing))
        {
            throw new ArgumentException($"Framing {(int)Framing} is not one of Tcp and RtuOverTcp.", nameof(Framing));
        }

        if (UseTls && Framing == ModbusFraming.RtuOverTcp)
        {
            throw new ArgumentException("UseTls cannot be combined with Framing RtuOverTcp: Modbus/TCP Security carries Modbus TCP framing only.", nameof(UseTls));
        }

        Range(ConnectTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), nameof(ConnectTimeout));
        Range(RequestTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), nameof(RequestTimeout));
        Range(HostBudget, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), nameof(HostBudget));
        Range(MaxConcurrentHosts, 1, 1024, nameof(MaxConcurrentHosts));
        Range(MaxRequestsPerSecondPerHost, 1, 1000, nameof(MaxRequestsPerSecondPerHost));
        Range(SilentTimeoutsPerPort, 1, 255, nameof(SilentTimeoutsPerPort));
    }

    private static void Range<T>(T value, T min, T max, string name)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be from {min} to {max}.");
        }
    }
}
