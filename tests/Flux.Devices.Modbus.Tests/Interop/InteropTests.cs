using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Tests.Support;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Tests.Interop;

/// <summary>
/// Our server against a real Modbus client (mbpoll), and our client against a real Modbus server (pymodbus), both from
/// Debian's packages, on 127.0.0.1. Outside CI a missing tool skips these tests; on CI (CI=true) it fails them.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed partial class InteropTests
{
    private const string Mbpoll = "/usr/bin/mbpoll";
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task Mbpoll_ReadsHoldingAndInputRegistersFromOurServer()
    {
        RequireTool(Mbpoll, "mbpoll (apt-get install mbpoll)");
        await using var server = await Loopback.StartServerAsync();
        server.AddUnit(1, Loopback.AddressEchoUnit());

        var holding = await RunMbpollAsync(server, "-t", "4", "-r", "2000", "-c", "3");
        var input = await RunMbpollAsync(server, "-t", "3", "-r", "10", "-c", "2");

        Assert.Equal([(2000, 2000), (2001, 2001), (2002, 2002)], Values(holding));
        Assert.Equal([(10, 10 ^ 0xFFFF), (11, 11 ^ 0xFFFF)], Values(input).Select(v => (v.Reference, v.Value & 0xFFFF)));
    }

    [Fact]
    public async Task Mbpoll_WritesOneAndSeveralRegistersToOurServer()
    {
        RequireTool(Mbpoll, "mbpoll (apt-get install mbpoll)");
        await using var server = await Loopback.StartServerAsync(new ModbusTcpServerOptions { RecordRequests = true });
        var unit = Loopback.AddressEchoUnit();
        server.AddUnit(1, unit);

        await RunMbpollAsync(server, "-t", "4", "-r", "100", "4660");
        await RunMbpollAsync(server, "-t", "4", "-r", "200", "7", "8", "9");

        var single = new ushort[1];
        var several = new ushort[3];
        unit.TryGetRegisters(ModbusTable.HoldingRegisters, 100, single);
        unit.TryGetRegisters(ModbusTable.HoldingRegisters, 200, several);
        Assert.Equal(4660, single[0]);
        Assert.Equal(new ushort[] { 7, 8, 9 }, several);
        Assert.Contains(server.RecordedRequests, r => r is { FunctionCode: 0x06, Address: 100 } or { FunctionCode: 0x10, Address: 100, Quantity: 1 });
        Assert.Contains(server.RecordedRequests, r => r is { FunctionCode: 0x10, Address: 200, Quantity: 3 });
    }

    [Fact]
    public async Task Mbpoll_ReadsOurBigEndianFloat()
    {
        RequireTool(Mbpoll, "mbpoll (apt-get install mbpoll)");
        await using var server = await Loopback.StartServerAsync();
        var unit = new ModbusUnit();
        var registers = new ushort[2];
        RegisterCodec.WriteSingle(registers, 230.5f);
        unit.SetRegisters(ModbusTable.HoldingRegisters, 300, registers);
        server.AddUnit(1, unit);

        var output = await RunMbpollAsync(server, "-t", "4:float", "-B", "-r", "300");

        Assert.Matches(@"\[300\]:\s+230\.5", output);
    }

    [Fact]
    public async Task OurClient_ReadsAndWritesAPymodbusServer()
    {
        await using var pymodbus = await PymodbusServer.StartAsync("pymodbus_server.py");
        var endpoint = pymodbus.Endpoint;
        await using var client = new ModbusTcpTransport(new ModbusTcpOptions { RequestTimeout = TimeSpan.FromSeconds(5) });

        var holding = new ushort[10];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 5, holding);
        var input = new ushort[3];
        await client.ReadInputRegistersAsync(endpoint, 1, 0, input);
        var coils = new bool[9];
        await client.ReadCoilsAsync(endpoint, 1, 0, coils);
        var inputs = new bool[4];
        await client.ReadDiscreteInputsAsync(endpoint, 1, 10, inputs);
        await client.WriteSingleRegisterAsync(endpoint, 1, 50, 0xBEEF);
        await client.WriteMultipleRegistersAsync(endpoint, 1, 60, new ushort[] { 1, 2, 3 });
        await client.WriteSingleCoilAsync(endpoint, 1, 0, false);
        await client.WriteMultipleCoilsAsync(endpoint, 1, 20, new[] { false, false, true });
        var written = new ushort[14];
        await client.ReadHoldingRegistersAsync(endpoint, 1, 50, written);
        var writtenCoils = new bool[23];
        await client.ReadCoilsAsync(endpoint, 1, 0, writtenCoils);

        Assert.Equal(Enumerable.Range(1005, 10).Select(i => (ushort)i), holding);
        Assert.Equal(new ushort[] { 5000, 5001, 5002 }, input);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => i % 2 == 0), coils);
        Assert.Equal(Enumerable.Range(10, 4).Select(i => i % 2 == 1), inputs);
        Assert.Equal((ushort)0xBEEF, written[0]);
        Assert.Equal(new ushort[] { 1, 2, 3 }, written[10..13]);
        Assert.False(writtenCoils[0]);
        Assert.Equal(new[] { false, false, true }, writtenCoils[20..23]);
    }

    private static IEnumerable<(int Reference, int Value)> Values(string mbpollOutput) =>
        ValueLine().Matches(mbpollOutput).Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));

    private static async Task<string> RunMbpollAsync(ModbusTcpServer server, params string[] arguments)
    {
        // -0: zero-based (PDU) references, as our API; -1: poll once; -o: timeout in seconds.
        string[] common = ["-m", "tcp", "-p", server.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture), "-a", "1", "-0", "-1", "-o", "5", "127.0.0.1"];
        var writeValues = arguments.SkipWhile(a => a.StartsWith('-') || IsOptionValue(arguments, a)).ToArray();
        var options = arguments[..^writeValues.Length];
        using var process = Process.Start(new ProcessStartInfo(Mbpoll, [.. options, .. common, .. writeValues])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"mbpoll exited with {process.ExitCode}: {output} {error}");
        return output;
    }

    private static bool IsOptionValue(string[] arguments, string value)
    {
        var index = Array.IndexOf(arguments, value);
        return index > 0 && arguments[index - 1] is "-t" or "-r" or "-c";
    }

    private static void RequireTool(string path, string what)
    {
        if (File.Exists(path))
        {
            return;
        }

        Assert.False(IsCi, $"{what} is missing on CI; .ci/run installs it.");
        Assert.Skip($"{what} is not installed");
    }

    private static void RequirePymodbus()
    {
        using var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import pymodbus.server"]) { RedirectStandardError = true })!;
        check.WaitForExit(30_000);
        if (check.ExitCode == 0)
        {
            return;
        }

        Assert.False(IsCi, "pymodbus is missing on CI; .ci/run installs python3-pymodbus and python3-serial-asyncio.");
        Assert.Skip("pymodbus is not installed for /usr/bin/python3 (apt-get install python3-pymodbus python3-serial-asyncio)");
    }

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task WaitForListenerAsync(ModbusEndpoint endpoint, Process server, System.Text.StringBuilder log)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (server.HasExited)
            {
                lock (log)
                {
                    Assert.Fail($"pymodbus exited with {server.ExitCode}: {log}");
                }
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Parse(endpoint.Host), endpoint.Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Fail("pymodbus did not start listening within 30 s");
    }

    [GeneratedRegex(@"\[(\d+)\]:\s+(-?\d+)")]
    private static partial Regex ValueLine();
}
