using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Benchmarks;

/// <summary>
/// Our client beside libmodbus, the C library users would pick instead, in one run and against one server: a libmodbus
/// 3.1 TCP server (<c>benchmarks/libmodbus/modbus-server.c</c>, built here with gcc against Debian's <c>libmodbus-dev</c>)
/// on 127.0.0.1, FC3 reads of 10 registers. The clients:
/// <list type="bullet">
/// <item>ours, through the public API only (<c>AddFluxDevices().UseModbusTcp()</c>, <see cref="IModbusTransport"/>), with
/// its default receive threads ("Ours") and on the async socket engine (<c>MaxReceiveThreads = 0</c>, "Engine");</item>
/// <item>libmodbus's own client (<c>modbus_read_registers</c>, called through P/Invoke: a few nanoseconds per call);</item>
/// <item>the floor: a bare .NET loop over a socket with a hand-made frame, async and sync, no Modbus library at all.</item>
/// </list>
/// Each operation is one request (invert the mean for requests per second). CPU placement is the caller's: run the
/// whole process under <c>taskset -c 0</c> and set <c>FLUX_BENCH_SERVER_CPU=0</c> for "client and server on one CPU",
/// or <c>FLUX_BENCH_SERVER_CPU=1</c> with <c>taskset -c 0</c> for "different CPUs" (docs/benchmarks.md).
/// </summary>
[MemoryDiagnoser]
public class LibmodbusComparisonBenchmarks
{
    private const int RequestsPerInvoke = 2048;
    private const int Connections = 16;
    internal const ushort Address = 100;
    internal const ushort Count = 10;

    private Process _server = null!;
    private ModbusEndpoint _endpoint;
    private readonly List<ServiceProvider> _providers = [];
    private IModbusTransport _ours = null!;
    private IModbusTransport[] _oursParallel = null!;
    private IModbusTransport _oursPipelined = null!;
    private IModbusTransport _engine = null!;
    private IModbusTransport[] _engineParallel = null!;
    private IModbusTransport _enginePipelined = null!;
    private IntPtr _libmodbus;
    private IntPtr[] _libmodbusParallel = null!;
    private Socket _bareAsync = null!;
    private Socket _bareSync = null!;
    private readonly byte[] _request = new byte[12];
    private readonly byte[] _reply = new byte[260];
    private ushort[][] _buffers = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_server, var port) = StartServer();
        _endpoint = new ModbusEndpoint("127.0.0.1", port);

        _ours = Client(1);
        _oursParallel = [.. Enumerable.Range(0, Connections).Select(_ => Client(1))];
        _oursPipelined = Client(Connections);
        _engine = Client(1, receiveThreads: 0);
        _engineParallel = [.. Enumerable.Range(0, Connections).Select(_ => Client(1, receiveThreads: 0))];
        _enginePipelined = Client(Connections, receiveThreads: 0);
        _libmodbus = LibmodbusConnect(port);
        _libmodbusParallel = [.. Enumerable.Range(0, Connections).Select(_ => LibmodbusConnect(port))];
        _bareAsync = BareConnect(port);
        _bareSync = BareConnect(port);
        _buffers = [.. Enumerable.Range(0, Connections).Select(_ => new ushort[Count])];

        // A hand-made MBAP frame: transaction 1, protocol 0, length 6, unit 1, FC3, address, count.
        BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(0), 1);
        BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(4), 6);
        _request[6] = 1;
        _request[7] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(8), Address);
        BinaryPrimitives.WriteUInt16BigEndian(_request.AsSpan(10), Count);

        // Every connection is open, and every client has read the right values, before anything is measured.
        foreach (var client in _oursParallel.Append(_ours).Append(_oursPipelined).Concat(_engineParallel).Append(_engine).Append(_enginePipelined))
        {
            client.ReadHoldingRegistersAsync(_endpoint, 1, Address, _buffers[0]).AsTask().GetAwaiter().GetResult();
            Check(_buffers[0]);
        }

        foreach (var context in _libmodbusParallel.Append(_libmodbus))
        {
            LibmodbusRead(context, _buffers[0]);
            Check(_buffers[0]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        foreach (var context in _libmodbusParallel.Append(_libmodbus))
        {
            NativeMethods.modbus_close(context);
            NativeMethods.modbus_free(context);
        }

        _bareAsync.Dispose();
        _bareSync.Dispose();
        _server.StandardInput.Close(); // the server exits when its input closes
        if (!_server.WaitForExit(5000))
        {
            _server.Kill();
        }

        _server.Dispose();
    }

    /// <summary>Ours: one connection, one request at a time.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task OursSequential()
    {
        var buffer = _buffers[0];
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            await _ours.ReadHoldingRegistersAsync(_endpoint, 1, Address, buffer);
        }
    }

    /// <summary>libmodbus: one connection, one request at a time.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RequestsPerInvoke)]
    public void LibmodbusSequential()
    {
        var buffer = _buffers[0];
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            LibmodbusRead(_libmodbus, buffer);
        }
    }

    /// <summary>The floor: a bare async .NET loop (send 12 bytes, receive 29) on one connection.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task BareAsyncSequential()
    {
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            await _bareAsync.SendAsync(_request.AsMemory(), SocketFlags.None);
            var got = 0;
            while (got < 29)
            {
                got += await _bareAsync.ReceiveAsync(_reply.AsMemory(got), SocketFlags.None);
            }
        }
    }

    /// <summary>The floor: a bare blocking .NET loop on one connection.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public void BareSyncSequential()
    {
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            _bareSync.Send(_request);
            var got = 0;
            while (got < 29)
            {
                got += _bareSync.Receive(_reply.AsSpan(got));
            }
        }
    }

    /// <summary>Ours: 16 clients (16 connections), each reading in sequence.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task Ours16Connections() => Task.WhenAll(Enumerable.Range(0, Connections).Select(async c =>
    {
        var buffer = _buffers[c];
        for (var i = 0; i < RequestsPerInvoke / Connections; i++)
        {
            await _oursParallel[c].ReadHoldingRegistersAsync(_endpoint, 1, Address, buffer);
        }
    }));

    /// <summary>libmodbus: 16 connections, one thread each, each reading in sequence.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public void Libmodbus16Connections() => Parallel.For(0, Connections, new ParallelOptions { MaxDegreeOfParallelism = Connections }, c =>
    {
        var buffer = _buffers[c];
        for (var i = 0; i < RequestsPerInvoke / Connections; i++)
        {
            LibmodbusRead(_libmodbusParallel[c], buffer);
        }
    });

    /// <summary>Ours: one connection with 16 requests in flight (16 callers sharing one client).</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task Ours16InFlight() => Task.WhenAll(Enumerable.Range(0, Connections).Select(async c =>
    {
        var buffer = _buffers[c];
        for (var i = 0; i < RequestsPerInvoke / Connections; i++)
        {
            await _oursPipelined.ReadHoldingRegistersAsync(_endpoint, 1, Address, buffer);
        }
    }));

    /// <summary>Ours on the async socket engine (<c>MaxReceiveThreads = 0</c>): one connection, one request at a time.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public async Task EngineSequential()
    {
        var buffer = _buffers[0];
        for (var i = 0; i < RequestsPerInvoke; i++)
        {
            await _engine.ReadHoldingRegistersAsync(_endpoint, 1, Address, buffer);
        }
    }

    /// <summary>Ours on the async socket engine: 16 clients (16 connections), each reading in sequence.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task Engine16Connections() => Task.WhenAll(Enumerable.Range(0, Connections).Select(async c =>
    {
        var buffer = _buffers[c];
        for (var i = 0; i < RequestsPerInvoke / Connections; i++)
        {
            await _engineParallel[c].ReadHoldingRegistersAsync(_endpoint, 1, Address, buffer);
        }
    }));

    /// <summary>Ours on the async socket engine: one connection with 16 requests in flight.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task Engine16InFlight() => Task.WhenAll(Enumerable.Range(0, Connections).Select(async c =>
    {
        var buffer = _buffers[c];
        for (var i = 0; i < RequestsPerInvoke / Connections; i++)
        {
            await _enginePipelined.ReadHoldingRegistersAsync(_endpoint, 1, Address, buffer);
        }
    }));

    private IModbusTransport Client(int inFlight, int receiveThreads = 64)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp(o =>
        {
            o.MaxRequestsInFlight = inFlight;
            o.MaxReceiveThreads = receiveThreads;
        });
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<IModbusTransport>();
    }

    internal static (Process Server, int Port) StartServer()
    {
        var source = Path.Combine(RepositoryRoot(), "benchmarks", "libmodbus", "modbus-server.c");
        var binary = Path.Combine(Path.GetTempPath(), $"flux-libmodbus-server-{File.GetLastWriteTimeUtc(source).Ticks}");
        if (!File.Exists(binary))
        {
            Run("gcc", $"-O2 -o \"{binary}\" \"{source}\" -I/usr/include/modbus -lmodbus", "gcc and libmodbus-dev (apt-get install gcc libmodbus-dev)");
        }

        var cpu = Environment.GetEnvironmentVariable("FLUX_BENCH_SERVER_CPU");
        var start = string.IsNullOrEmpty(cpu)
            ? new ProcessStartInfo(binary, "0")
            : new ProcessStartInfo("taskset", $"-c {cpu} \"{binary}\" 0");
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        var server = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var line = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the libmodbus server exited before listening");
        return (server, int.Parse(line["listening on ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Run(string file, string arguments, string needs)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {arguments} failed ({needs}): {errors}");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{file} is missing: this benchmark needs {needs}", ex);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Flux.Devices.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Flux.Devices.sln not found above " + AppContext.BaseDirectory);
    }

    internal static IntPtr LibmodbusConnect(int port)
    {
        var context = NativeMethods.modbus_new_tcp("127.0.0.1", port);
        if (context == IntPtr.Zero || NativeMethods.modbus_connect(context) != 0 || NativeMethods.modbus_set_slave(context, 1) != 0)
        {
            throw new InvalidOperationException($"libmodbus could not connect to 127.0.0.1:{port}");
        }

        return context;
    }

    internal static void LibmodbusRead(IntPtr context, ushort[] buffer)
    {
        if (NativeMethods.modbus_read_registers(context, Address, Count, buffer) != Count)
        {
            throw new InvalidOperationException("libmodbus: the read failed");
        }
    }

    private static Socket BareConnect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    internal static void Check(ushort[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] != Address + i)
            {
                throw new InvalidOperationException($"register {Address + i} read as {values[i]}");
            }
        }
    }

    /// <summary>libmodbus 3.1 (Debian's libmodbus5), the calls the benchmark makes.</summary>
    internal static class NativeMethods
    {
        private const string Library = "libmodbus.so.5";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern IntPtr modbus_new_tcp([MarshalAs(UnmanagedType.LPStr)] string ip, int port);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int modbus_connect(IntPtr context);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int modbus_set_slave(IntPtr context, int unitId);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int modbus_read_registers(IntPtr context, int address, int count, [Out] ushort[] destination);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void modbus_close(IntPtr context);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void modbus_free(IntPtr context);
    }
}
