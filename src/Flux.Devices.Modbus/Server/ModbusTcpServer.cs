using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Runtime.CompilerServices;
using Flux.Devices.Diagnostics;
using Flux.Devices.Modbus.Diagnostics;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Modbus.Security;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Modbus.Server;

/// <summary>What a server does with a request for a unit id it does not serve.</summary>
public enum UnknownUnitBehavior
{
    /// <summary>Answer with exception 0B (gateway target device failed to respond), as a gateway does.</summary>
    GatewayTargetFailed = 0,

    /// <summary>Do not answer, as a device that ignores other unit ids does.</summary>
    Ignore = 1,
}

/// <summary>
/// A Modbus TCP server for tests, samples and simulations (or, with <see cref="ModbusTcpServerOptions.Framing"/>, an
/// RTU device behind a transparent TCP gateway): it binds any address and port (port 0 picks a free one),
/// serves several unit ids, implements functions 1, 2, 3, 4, 5, 6, 15, 16, 23 and 43/14 with the spec's exception
/// replies, and lets each unit misbehave on demand (<see cref="ModbusUnit.Faults"/>).
/// </summary>
/// <example>
/// <code>
/// await using var server = new ModbusTcpServer();
/// server.AddUnit(1, new PowerPackBessSimulator());
/// await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
/// var endpoint = server.Endpoint; // 127.0.0.1:&lt;port&gt;
/// </code>
/// </example>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<byte, ModbusUnit> _units = new();
    private readonly ConcurrentQueue<ModbusRequestRecord> _recorded = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly ModbusTcpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly bool _rtu;

    /// <summary>Gets the bytes in front of a PDU: the MBAP header, or the RTU unit id.</summary>
    private int HeaderLength => _rtu ? RtuFrame.HeaderLength : ModbusFrame.HeaderLength;

    private readonly SslStreamCertificateContext? _certificate;
    private readonly X509Certificate2Collection _clientAnchors = [];
    private int _disposed;
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _requestCount;
    private long _connectionCount;

    /// <summary>Initializes a new instance of the <see cref="ModbusTcpServer"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock for response delays and simulated values; <see langword="null"/> for the system clock.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">TLS is on (<see cref="ModbusTcpServerOptions.Tls"/>) without a server certificate with its private key.</exception>
    public ModbusTcpServer(ModbusTcpServerOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new ModbusTcpServerOptions();
        if (!Enum.IsDefined(_options.Framing))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Framing, $"{nameof(ModbusTcpServerOptions.Framing)} must be Tcp or RtuOverTcp.");
        }

        _rtu = _options.Framing == ModbusFraming.RtuOverTcp;

        if (_options.Tls is { } tls)
        {
            if (tls.ServerCertificate is not { HasPrivateKey: true } certificate)
            {
                throw new ArgumentException("ModbusTcpServerOptions.Tls.ServerCertificate must be set, with its private key.", nameof(options));
            }

            _certificate = SslStreamCertificateContext.Create(ModbusTls.Usable(certificate), null, offline: true);
            _clientAnchors.AddRange(tls.TrustedCertificateAuthorities);
        }

        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.ModbusCategory);
    }

    /// <summary>Gets the address and port the server listens on, once started.</summary>
    public IPEndPoint LocalEndPoint => _listener?.LocalEndPoint as IPEndPoint ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Gets the endpoint clients use to reach the server, once started.</summary>
    public ModbusEndpoint Endpoint => ModbusEndpoint.From(LocalEndPoint) with { Framing = _options.Framing };

    /// <summary>Gets how many requests the server has received.</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    /// <summary>Gets how many connections are open.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Gets every request received, in arrival order, when <see cref="ModbusTcpServerOptions.RecordRequests"/> is on.</summary>
    public IReadOnlyCollection<ModbusRequestRecord> RecordedRequests => _recorded;

    /// <summary>
    /// Occurs when a request frame arrives, before it is served (and after its unit's response delay has started): a
    /// test can wait for a request to reach the device, and advance a fake clock only then, instead of sleeping.
    /// Handlers run on the server's receive path; keep them quick.
    /// </summary>
    public event Action<ModbusRequestRecord>? RequestReceived;

    /// <summary>Serves a unit at a unit id, replacing any unit served there before.</summary>
    /// <param name="unitId">The unit id, 0..255.</param>
    /// <param name="unit">The unit.</param>
    /// <returns>The same server.</returns>
    public ModbusTcpServer AddUnit(byte unitId, ModbusUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        _units[unitId] = unit;
        return this;
    }

    /// <summary>Stops serving a unit id.</summary>
    /// <param name="unitId">The unit id.</param>
    /// <returns><see langword="true"/> when a unit was served there.</returns>
    public bool RemoveUnit(byte unitId) => _units.TryRemove(unitId, out _);

    /// <summary>Binds and starts accepting connections.</summary>
    /// <param name="endPoint">Where to listen; port 0 picks a free port (read it back from <see cref="LocalEndPoint"/>).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server listens.</returns>
    public Task StartAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        cancellationToken.ThrowIfCancellationRequested();
        if (_listener is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        ModbusLog.ServerListening(_logger, listener.LocalEndPoint);
        _acceptLoop = AcceptLoopAsync(listener);
        return Task.CompletedTask;
    }

    /// <summary>Closes every connection a client has open, as a device that reboots does (the server keeps listening).</summary>
    public void DropConnections()
    {
        foreach (var socket in _connections.Keys)
        {
            socket.Dispose();
        }
    }

    /// <summary>Stops listening and closes every connection. Disposing again does nothing.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        DropConnections();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                client.Dispose();
                continue;
            }

            client.NoDelay = true;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[client] = done.Task;
            _ = ServeAsync(client, done);
        }
    }

    private async Task ServeAsync(Socket socket, TaskCompletionSource done)
    {
        EndPoint? remote = null;
        var connection = new ServerConnection(socket, Interlocked.Increment(ref _connectionCount));
        var buffer = new byte[8 * ModbusFrame.MaxFrameLength];
        var filled = 0;
        var reason = "closed by the client";
        try
        {
            remote = socket.RemoteEndPoint;
            connection.Remote = remote as IPEndPoint;
            if (_options.Tls is not null)
            {
                var refused = await AuthenticateAsync(connection, buffer).ConfigureAwait(false);
                if (refused is not null)
                {
                    reason = refused;
                    return;
                }
            }

            while (true)
            {
                var received = await connection.ReceiveAsync(buffer.AsMemory(filled), _stopping.Token).ConfigureAwait(false);
                if (received == 0)
                {
                    return;
                }

                filled += received;
                var offset = 0;
                while (true)
                {
                    var status = _rtu
                        ? ReadRtuFrame(buffer.AsSpan(offset, filled - offset), out var header, out var frameLength, out var error)
                        : ModbusFrame.TryRead(buffer.AsSpan(offset, filled - offset), out header, out frameLength, out error);
                    if (status == FrameStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == FrameStatus.Invalid && _rtu)
                    {
                        // A serial device ignores a frame it cannot read: drop what came, answer nothing, wait for the next request.
                        ModbusLog.ServerRtuFrameIgnored(_logger, remote, error!);
                        offset = filled;
                        break;
                    }

                    if (status == FrameStatus.Invalid)
                    {
                        reason = $"invalid frame: {error}";
                        return;
                    }

                    var keepOpen = await ServeFrameAsync(connection, header, buffer.AsMemory(offset + HeaderLength, header.PduLength)).ConfigureAwait(false);
                    if (!keepOpen)
                    {
                        reason = "closed mid-frame on purpose";
                        return;
                    }

                    offset += frameLength;
                }

                // Replies to the requests that arrived together go out together (pipelining clients send many at once).
                await FlushAsync(connection).ConfigureAwait(false);
                if (offset > 0)
                {
                    buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
                    filled -= offset;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            reason = ex.Message;
        }
        finally
        {
            ModbusLog.ServerConnectionEnded(_logger, remote, reason);
            _connections.TryRemove(socket, out _);
            connection.Tls?.Dispose();
            socket.Dispose();
            done.SetResult();
        }
    }

    /// <summary>Serves one request frame, queuing its reply. Returns false when the connection is to be closed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ServeFrameAsync(ServerConnection connection, MbapHeader header, ReadOnlyMemory<byte> pdu)
    {
        Interlocked.Increment(ref _requestCount);
        if (_options.RecordRequests)
        {
            _recorded.Enqueue(Record(header.UnitId, pdu.Span, connection));
        }

        var unit = _options.AnswerEveryUnitId ?? _units.GetValueOrDefault(header.UnitId);
        var faults = unit?.Faults;

        // The response delay counts from the request's arrival, and starts before RequestReceived is raised, so that a
        // test that waits for the request and then advances a fake clock past the delay never races the timer.
        var delay = faults is { ResponseDelay.Ticks: > 0 } ? Task.Delay(faults.ResponseDelay, _time, _stopping.Token) : null;
        var record = Record(header.UnitId, pdu.Span, connection);
        RequestReceived?.Invoke(record);
        if (unit is null && _options.UnknownUnit == UnknownUnitBehavior.Ignore)
        {
            return true;
        }

        if (faults is { ResponseDelay.Ticks: > 0 } or { Stall: true } or { Garbage: true } or { CloseMidFrame: true })
        {
            // A misbehaving reply goes out on its own, after the replies queued before it.
            await FlushAsync(connection).ConfigureAwait(false);
            if (delay is not null)
            {
                await delay.ConfigureAwait(false);
            }

            if (faults.Stall)
            {
                return true;
            }

            if (faults.Garbage)
            {
                byte[] garbage = [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x00, 0x00];
                await connection.SendAsync(garbage, _stopping.Token).ConfigureAwait(false);
                return true;
            }
        }

        if (connection.Output.Length - connection.Pending < ModbusFrame.MaxFrameLength)
        {
            await FlushAsync(connection).ConfigureAwait(false);
        }

        var frame = connection.Output.AsMemory(connection.Pending);
        var pduLength = _options.Authorize is { } authorize && !authorize(record)
            ? ModbusRequestHandler.ExceptionReply(pdu.Span[0], ModbusExceptionCode.IllegalFunction, frame.Span[HeaderLength..])
            : unit is null
            ? ModbusRequestHandler.ExceptionReply(pdu.Span[0], ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, frame.Span[HeaderLength..])
            : faults!.ExceptionCode is { } code
                ? ModbusRequestHandler.ExceptionReply(pdu.Span[0], code, frame.Span[HeaderLength..])
                : ModbusRequestHandler.Handle(unit, pdu.Span, frame.Span[HeaderLength..]);
        var unitId = faults?.WrongUnitId == true ? (byte)(header.UnitId + 1) : header.UnitId;
        int length;
        if (_rtu)
        {
            length = RtuFrame.Write(frame.Span, unitId, pduLength);
            if (faults?.WrongTransactionId == true)
            {
                frame.Span[length - 1] ^= 0x5A; // no transaction id in RTU: a corrupt CRC instead
            }
        }
        else
        {
            var transactionId = faults?.WrongTransactionId == true ? (ushort)(header.TransactionId ^ 0x5A5A) : header.TransactionId;
            length = ModbusFrame.WriteHeader(frame.Span, transactionId, unitId, pduLength);
        }

        if (faults?.CloseMidFrame == true)
        {
            await connection.SendAsync(frame[..Math.Max(1, length / 2)], _stopping.Token).ConfigureAwait(false);
            connection.Socket.Shutdown(SocketShutdown.Both);
            return false;
        }

        connection.Pending += length;
        return true;
    }

    private async ValueTask FlushAsync(ServerConnection connection)
    {
        var output = connection.Output.AsMemory(0, connection.Pending);
        connection.Pending = 0;
        if (!output.IsEmpty)
        {
            await connection.SendAsync(output, _stopping.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Reads an RTU request frame as a header (transaction id 0) and PDU; a bad CRC makes it invalid.</summary>
    private static FrameStatus ReadRtuFrame(ReadOnlySpan<byte> buffer, out MbapHeader header, out int frameLength, out string? error)
    {
        header = default;
        var status = RtuFrame.MeasureRequest(buffer, out frameLength, out error);
        if (status == FrameStatus.Complete && !RtuFrame.CheckCrc(buffer[..frameLength], out error))
        {
            status = FrameStatus.Invalid;
        }

        if (status == FrameStatus.Complete)
        {
            header = new MbapHeader(0, (ushort)(frameLength - RtuFrame.CrcLength), buffer[0]);
        }

        return status;
    }

    /// <summary>
    /// Runs the server's TLS handshake, requiring a trusted client certificate. Returns why the client was refused,
    /// or <see langword="null"/> when the connection is secured (its role read from the certificate).
    /// </summary>
    private async Task<string?> AuthenticateAsync(ServerConnection connection, byte[] buffer)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.Tls!.HandshakeTimeout);
        var peeked = await connection.Socket.ReceiveAsync(buffer.AsMemory(0, 1), SocketFlags.Peek, timeout.Token).ConfigureAwait(false);
        if (peeked == 0)
        {
            return "closed before the TLS handshake";
        }

        if (buffer[0] != 0x16)
        {
            // A plain Modbus TCP client: tell it, as TLS does, with a fatal protocol_version alert it can recognise.
            byte[] alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46];
            await connection.Socket.SendAsync(alert, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            return "not a TLS client (plain Modbus TCP to a TLS port)";
        }

        string? problem = null;
        var stream = new SslStream(new NetworkStream(connection.Socket, ownsSocket: false), leaveInnerStreamOpen: false);
        connection.Tls = stream;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificate,
            ClientCertificateRequired = true,
            EnabledSslProtocols = ModbusTls.Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // checked in the callback, as configured
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                problem = ModbusTls.Check(certificate, chain, _clientAnchors, _options.Tls.CheckRevocation, ModbusTls.ClientAuthentication, hostName: null, _time)?.Detail;
                return problem is null;
            },
        };
        try
        {
            await stream.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            return $"TLS handshake failed: {problem ?? ex.Message}";
        }

        connection.Role = stream.RemoteCertificate is X509Certificate2 client ? ReadRole(client) : null;
        return null;
    }

    private static string? ReadRole(X509Certificate2 certificate)
    {
        try
        {
            return ModbusCertificateRole.Read(certificate);
        }
        catch (FormatException)
        {
            return null; // a malformed role grants nothing
        }
    }

    private static ModbusRequestRecord Record(byte unitId, ReadOnlySpan<byte> pdu, ServerConnection connection) =>
        pdu.Length >= 5 && pdu[0] != ModbusFunction.EncapsulatedInterface
            ? new ModbusRequestRecord { UnitId = unitId, FunctionCode = pdu[0], Address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]), Quantity = pdu[0] is ModbusFunction.WriteSingleCoil or ModbusFunction.WriteSingleRegister ? (ushort)1 : BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]), Role = connection.Role, ConnectionId = connection.Id, RemoteEndPoint = connection.Remote }
            : new ModbusRequestRecord { UnitId = unitId, FunctionCode = pdu[0], Address = 0, Quantity = 0, Role = connection.Role, ConnectionId = connection.Id, RemoteEndPoint = connection.Remote };

    /// <summary>One client connection's socket (and TLS stream, with the client's role) and its queue of replies not yet sent.</summary>
    private sealed class ServerConnection(Socket socket, long id)
    {
        public Socket Socket { get; } = socket;

        /// <summary>Gets the connection's number in this server: 1 for the first accepted, then counting up.</summary>
        public long Id { get; } = id;

        /// <summary>Gets the client's address and port, read once as the connection is served.</summary>
        public IPEndPoint? Remote { get; set; }

        public SslStream? Tls { get; set; }

        public string? Role { get; set; }

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken token) =>
            Tls is null ? Socket.ReceiveAsync(buffer, SocketFlags.None, token) : Tls.ReadAsync(buffer, token);

        public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken token)
        {
            if (Tls is not null)
            {
                await Tls.WriteAsync(data, token).ConfigureAwait(false);
                return;
            }

            while (!data.IsEmpty)
            {
                var sent = await Socket.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
                data = data[sent..];
            }
        }

        public byte[] Output { get; } = new byte[8 * ModbusFrame.MaxFrameLength];

        public int Pending { get; set; }
    }
}
