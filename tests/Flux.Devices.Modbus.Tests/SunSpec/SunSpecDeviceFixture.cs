using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.SunSpec;

/// <summary>
/// The SunSpec devices of <c>sunspec_server.py</c> (pymodbus, run with /usr/bin/python3 on a free port of 127.0.0.1),
/// laid out from the model JSON files by the script, not by the library, with the values each point must decode to.
/// Started once for the test class. Outside CI a missing pymodbus skips the tests; on CI (CI=true) it fails them.
/// </summary>
public sealed class SunSpecDeviceFixture : IAsyncLifetime
{
    private const string Python = "/usr/bin/python3";
    private readonly StringBuilder _log = new();
    private Process? _process;
    private string? _unavailable;
    private JsonDocument? _expected;
    private string _directory = null!;

    /// <summary>Gets the server's endpoint.</summary>
    public ModbusEndpoint Endpoint { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Python) || !CanImportPymodbus())
        {
            _unavailable = "pymodbus is not installed for /usr/bin/python3 (apt-get install python3-pymodbus)";
            return;
        }

        _directory = Directory.CreateTempSubdirectory("flux-sunspec-").FullName;
        var expectedPath = Path.Combine(_directory, "expected.json");
        var port = FreePort();
        Endpoint = new ModbusEndpoint("127.0.0.1", port);
        var script = Path.Combine(AppContext.BaseDirectory, "SunSpec", "sunspec_server.py");
        var models = Path.Combine(AppContext.BaseDirectory, "SunSpec", "Models");
        _process = new Process
        {
            StartInfo = new ProcessStartInfo(Python, [script, port.ToString(CultureInfo.InvariantCulture), models, expectedPath]) { RedirectStandardError = true },
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_log)
            {
                _log.AppendLine(e.Data);
            }
        };
        _process.Start();
        _process.BeginErrorReadLine();
        await WaitForListenerAsync(port);
        _expected = JsonDocument.Parse(await File.ReadAllTextAsync(expectedPath));
    }

    public async ValueTask DisposeAsync()
    {
        _expected?.Dispose();
        if (_process is not null)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Fails the test on CI, skips it elsewhere, when pymodbus is missing.</summary>
    public void Require()
    {
        if (_unavailable is null)
        {
            return;
        }

        Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), $"{_unavailable}; .ci/run installs it on CI.");
        Assert.Skip(_unavailable);
    }

    /// <summary>Gets what the script laid out on a unit: base, chain, where the walk stops, and every point's expected reading.</summary>
    /// <param name="unit">The unit id.</param>
    /// <returns>The unit's description.</returns>
    public JsonElement Unit(int unit)
    {
        Require();
        return _expected!.RootElement.GetProperty(unit.ToString(CultureInfo.InvariantCulture));
    }

    private static bool CanImportPymodbus()
    {
        using var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import pymodbus.server"]) { RedirectStandardError = true })!;
        check.WaitForExit(30_000);
        return check.ExitCode == 0;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private async Task WaitForListenerAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process!.HasExited)
            {
                lock (_log)
                {
                    throw new InvalidOperationException($"sunspec_server.py exited with {_process.ExitCode}: {_log}");
                }
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("sunspec_server.py did not start listening within 60 s");
    }
}
