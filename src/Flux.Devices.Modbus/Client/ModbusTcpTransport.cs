using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Flux.Devices.Modbus.Client;
using Flux.Devices.Diagnostics;
using Flux.Devices.Modbus.Diagnostics;
using Flux.Devices.Modbus.Protocol;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Modbus;

/// <summary>
/// The Modbus TCP client: an <see cref="IModbusTransport"/> written to the Modbus Application Protocol v1.1b3 and the
/// Messaging on TCP/IP Implementation Guide v1.0b. One instance serves any number of devices and concurrent callers.
/// Endpoints with <see cref="ModbusFraming.RtuOverTcp"/> framing speak RTU frames through a TCP gateway instead
/// (<see cref="RtuOverTcpConnection"/>), with the same checks, retries and errors.
/// </summary>
/// <remarks>
/// <para>
/// Each endpoint gets one connection, opened on first use and re-opened after a failure, with a doubling wait while
/// the device keeps failing. Requests to an endpoint are serialised by default, or pipelined up to
/// <see cref="ModbusTcpOptions.MaxRequestsInFlight"/> and matched by transaction id.
/// </para>
/// <para>
/// Every reply is checked before it is used: transaction id, protocol id, MBAP length, unit id, function code, byte
/// count and write echoes. A reply for a request that already timed out is discarded. A whole frame with bad content
/// fails only its own request; a frame that cannot be delimited closes the connection, and the reads in flight beside
/// it are sent again on a new one. After a timeout, a connection on which nothing arrives within half the next
/// request's deadline is replaced at once. Each attempt has its own deadline (<see cref="ModbusTcpOptions.RequestTimeout"/>) counted from when the
/// request gets its turn on the connection. Reads are retried after timeouts, transport and protocol errors and
/// Busy/Acknowledge replies; a write is retried only when the device said Busy or nothing was sent, and a write that
/// was sent but not confirmed raises <see cref="ModbusWriteOutcomeUnknownException"/>.
/// </para>
/// <para>
/// Replies complete their callers inline, on the thread that received them; do not block synchronously on one
/// request inside the continuation of another to the same device.
/// </para>
/// <para>
/// On Linux, a plain TCP connection has a thread of its own (<see cref="ReceiveThread"/>), up to
/// <see cref="ModbusTcpOptions.MaxReceiveThreads"/> per client: it connects and receives with blocking calls, and
/// requests are sent with blocking calls from the caller's thread, which is the receive thread itself when a caller
/// sends its next request from the continuation of the last. This saves the async socket engine's hand-over from its
/// event thread to the thread pool on every reply. Other connections use the engine.
/// </para>
/// </remarks>
internal sealed class ModbusTcpTransport : IModbusTransport, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<ModbusEndpoint, ModbusConnection> _connections = new();
    private readonly ConcurrentDictionary<ModbusEndpoint, RtuOverTcpConnection> _rtuConnections = new();
    private readonly ModbusTcpOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ModbusMetrics _metrics;
    private readonly ReceiveThreadBudget _receiveThreads;
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="ModbusTcpTransport"/> class.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults. They are copied.</param>
    /// <param name="timeProvider">The clock for deadlines, delays and backoff; <see langword="null"/> for the system clock.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">Where metrics go (meter <c>Flux.Devices</c>); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its documented range.</exception>
    /// <exception cref="ArgumentException">A TLS option is missing, ambiguous or names a file or certificate that cannot be read.</exception>
    public ModbusTcpTransport(
        ModbusTcpOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        _options = Copy(options ?? new ModbusTcpOptions());
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.ModbusCategory);
        _metrics = new ModbusMetrics(meterFactory);
        _receiveThreads = new ReceiveThreadBudget(_options.MaxReceiveThreads);
    }

    /// <summary>Gets the count of connections' receive threads alive now (<see cref="ModbusTcpOptions.MaxReceiveThreads"/>).</summary>
    internal int ReceiveThreadsInUse => _receiveThreads.InUse;

    /// <summary>Gets the socket of an endpoint's open connection, if it has one (for tests).</summary>
    internal System.Net.Sockets.Socket? SocketOf(ModbusEndpoint endpoint) =>
        _connections.TryGetValue(endpoint, out var connection) ? connection.CurrentSocket : null;

    /// <summary>Gets the receive thread of an endpoint's open connection, if it has one (for tests).</summary>
    internal ReceiveThread? ReceiverOf(ModbusEndpoint endpoint) =>
        _connections.TryGetValue(endpoint, out var connection) ? connection.CurrentReceiver : null;

    /// <summary>Gets the count of replies that arrived after their request had ended and were discarded, over all devices.</summary>
    public long LateReplies => _connections.Values.Sum(c => c.LateReplies);

    /// <inheritdoc />
    public ValueTask ReadCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.Read(ModbusFunction.ReadCoils, unitId, startAddress, destination.Length), new ReplyTarget(default, destination, null), cancellationToken);

    /// <inheritdoc />
    public ValueTask ReadDiscreteInputsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.Read(ModbusFunction.ReadDiscreteInputs, unitId, startAddress, destination.Length), new ReplyTarget(default, destination, null), cancellationToken);

    /// <inheritdoc />
    public ValueTask ReadHoldingRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, unitId, startAddress, destination.Length), new ReplyTarget(destination, default, null), cancellationToken);

    /// <inheritdoc />
    public ValueTask ReadInputRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.Read(ModbusFunction.ReadInputRegisters, unitId, startAddress, destination.Length), new ReplyTarget(destination, default, null), cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteSingleCoilAsync(ModbusEndpoint endpoint, byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.WriteSingleCoil(unitId, address, value), default, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteSingleRegisterAsync(ModbusEndpoint endpoint, byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.WriteSingleRegister(unitId, address, value), default, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteMultipleCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.WriteMultipleCoils(unitId, startAddress, values), default, cancellationToken);

    /// <inheritdoc />
    public ValueTask WriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) =>
        RunAsync(endpoint, ModbusRequest.WriteMultipleRegisters(unitId, startAddress, values), default, cancellationToken);

    /// <inheritdoc />
    public ValueTask ReadWriteMultipleRegistersAsync(
        ModbusEndpoint endpoint,
        byte unitId,
        ushort readStartAddress,
        Memory<ushort> readDestination,
        ushort writeStartAddress,
        ReadOnlyMemory<ushort> values,
        CancellationToken cancellationToken = default) =>
        RunAsync(
            endpoint,
            ModbusRequest.ReadWriteMultipleRegisters(unitId, readStartAddress, readDestination.Length, writeStartAddress, values),
            new ReplyTarget(readDestination, default, null),
            cancellationToken);

    /// <inheritdoc />
    public async ValueTask<DeviceIdentification> ReadDeviceIdentificationAsync(
        ModbusEndpoint endpoint,
        byte unitId,
        DeviceIdentificationCategory category = DeviceIdentificationCategory.Basic,
        CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(category))
        {
            throw new ArgumentOutOfRangeException(nameof(category), category, "Use basic, regular or extended.");
        }

        var objects = new SortedDictionary<byte, string>();
        byte objectId = 0;
        byte conformity = 0;
        for (var round = 0; round < 256; round++)
        {
            var request = ModbusRequest.ReadDeviceIdentification(unitId, (byte)category, objectId);
            var info = await ExecuteAsync(endpoint, request, new ReplyTarget(default, default, objects), cancellationToken).ConfigureAwait(false);
            conformity = info.ConformityLevel;
            if (!info.MoreFollows)
            {
                return new DeviceIdentification(conformity, objects);
            }

            if (info.NextObjectId <= objectId)
            {
                throw new ModbusProtocolException(endpoint, $"device identification says more objects follow from 0x{info.NextObjectId:X2}, which it already sent");
            }

            objectId = info.NextObjectId;
        }

        return new DeviceIdentification(conformity, objects);
    }

    /// <summary>Closes every connection; requests in flight fail with <see cref="ModbusTransportException"/>.</summary>
    /// <returns>A task that completes when the connections are closed.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes every connection; requests in flight fail with <see cref="ModbusTransportException"/>.</summary>
    /// <remarks>Closing a connection does not wait for anything, so this does the same as <see cref="DisposeAsync"/>.</remarks>
    public void Dispose()
    {
        _disposed = true;
        foreach (var connection in _connections.Values)
        {
            connection.Dispose();
        }

        foreach (var connection in _rtuConnections.Values)
        {
            connection.Dispose();
        }
    }

    /// <summary>A validated copy of the options, so that later changes to the caller's object change nothing.</summary>
    internal static ModbusTcpOptions Copy(ModbusTcpOptions options)
    {
        var copy = new ModbusTcpOptions
        {
            RequestTimeout = options.RequestTimeout,
            ConnectTimeout = options.ConnectTimeout,
            RetryCount = options.RetryCount,
            RetryDelay = options.RetryDelay,
            MaxRetryDelay = options.MaxRetryDelay,
            MaxRequestsInFlight = options.MaxRequestsInFlight,
            MinimumRequestGap = options.MinimumRequestGap,
            ConnectDelay = options.ConnectDelay,
            TimeoutsBeforeReconnect = options.TimeoutsBeforeReconnect,
            StrictUnitId = options.StrictUnitId,
            RtuSilentInterval = options.RtuSilentInterval,
            MaxReceiveThreads = options.MaxReceiveThreads,
            Tls = options.Tls is null ? null : Security.ModbusTlsClient.Copy(options.Tls),
        };
        ModbusTcpOptionsValidation.ThrowIfInvalid(copy);
        copy.Tls?.Resolve(); // files and the certificate store are read now: a bad setting fails here, naming the option
        return copy;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RunAsync(ModbusEndpoint endpoint, ModbusRequest request, ReplyTarget target, CancellationToken cancellationToken) =>
        await ExecuteAsync(endpoint, request, target, cancellationToken).ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReplyInfo> ExecuteAsync(ModbusEndpoint endpoint, ModbusRequest request, ReplyTarget target, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (endpoint.UseTls && endpoint.Framing == ModbusFraming.RtuOverTcp)
        {
            // Modbus/TCP Security is MBAP frames inside TLS; RTU frames inside TLS is no standard any device speaks.
            throw new ArgumentException($"{endpoint}: TLS (Modbus/TCP Security) carries Modbus TCP framing only, not RTU over TCP.", nameof(endpoint));
        }

        var rtu = endpoint.Framing == ModbusFraming.RtuOverTcp
            ? _rtuConnections.GetOrAdd(endpoint, static (e, self) => new RtuOverTcpConnection(e, self._options, self._time, self._logger, self._metrics), this)
            : null;
        var connection = rtu is null ? _connections.GetOrAdd(endpoint, static (e, self) => new ModbusConnection(e, self._options, self._time, self._logger, self._metrics, self._receiveThreads), this) : null;
        if (_disposed)
        {
            // DisposeAsync ran between the check above and GetOrAdd: it may have missed this connection.
            connection?.Dispose();
            rtu?.Dispose();
            throw new ObjectDisposedException(nameof(ModbusTcpTransport));
        }

        var started = _time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var info = rtu is null
                    ? await connection!.ExecuteAsync(request, target, cancellationToken).ConfigureAwait(false)
                    : await rtu.ExecuteAsync(request, target, cancellationToken).ConfigureAwait(false);
                _metrics.RequestCompleted(request.FunctionCode, "ok", _time.GetElapsedTime(started));
                return info;
            }
            catch (Exception ex) when (attempt < _options.RetryCount && IsRetryable(ex, request))
            {
                var delay = _options.RetryDelay * Math.Pow(2, attempt);
                if (delay > _options.MaxRetryDelay)
                {
                    delay = _options.MaxRetryDelay;
                }

                ModbusLog.Retrying(_logger, request.FunctionCode, endpoint, request.UnitId, delay, attempt + 1, ex.Message);
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _metrics.RequestCompleted(request.FunctionCode, ex.GetType().Name, _time.GetElapsedTime(started));
                throw;
            }
        }
    }

    /// <summary>
    /// A read may be repeated after anything transient. A write reaches here as a timeout, transport or protocol
    /// error only when nothing was sent (otherwise it is <see cref="ModbusWriteOutcomeUnknownException"/>), and may
    /// then be repeated; after an exception reply, only Busy says the device did not act on it.
    /// </summary>
    private static bool IsRetryable(Exception error, in ModbusRequest request) => error switch
    {
        ModbusSecurityException => false,
        ModbusTimeoutException or ModbusTransportException or ModbusProtocolException => true,
        ModbusException { Code: ModbusExceptionCode.ServerDeviceBusy } => true,
        ModbusException { Code: ModbusExceptionCode.Acknowledge } => !request.IsWrite,
        _ => false,
    };
}
