using System.ComponentModel.DataAnnotations;

namespace Flux.Devices.Modbus;

/// <summary>Options of the Modbus TCP client, set through <c>UseModbusTcp(options => ...)</c> or bound from configuration with <c>UseModbusTcp(section)</c>; named per profile with <c>AddModbusTcpProfile</c>. Every duration is a <see cref="TimeSpan"/>.</summary>
public sealed class ModbusTcpOptions
{
    /// <summary>
    /// Gets or sets the deadline of one attempt of a request: connecting (if needed), sending and receiving the
    /// reply together. A retry gets a deadline of its own.
    /// </summary>
    /// <value>The default value is 1 second. It must be from 1 millisecond to 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest a TCP connect (and, for a TLS endpoint, its handshake) may take, within the request's deadline.</summary>
    /// <value>The default value is 1 second. It must be from 1 millisecond to 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how many times a read is tried again after a timeout, a transport or protocol error, or a
    /// Busy (06) or Acknowledge (05) reply. Writes are retried only after Busy, or when nothing was sent.
    /// </summary>
    /// <value>The default value is 2. It must be from 0 to 10.</value>
    [Range(0, 10)]
    public int RetryCount { get; set; } = 2;

    /// <summary>Gets or sets the wait before the first retry; it doubles for each further retry, up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default value is 100 milliseconds. It must be from 0 to 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the longest wait between retries, and between reconnection attempts to a failing device.</summary>
    /// <value>The default value is 30 seconds. It must be from 0 to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many requests may be in flight on one connection. 1 (the default) serialises requests
    /// per device, which every device supports; more pipelines requests, matched by transaction id, for servers
    /// that allow it.
    /// </summary>
    /// <value>The default value is 1. It must be from 1 to 64.</value>
    [Range(1, 64)]
    public int MaxRequestsInFlight { get; set; } = 1;

    /// <summary>Gets or sets the least time between two requests sent on one connection (slow field devices need it).</summary>
    /// <value>The default value is 0 (no gap). It must be from 0 to 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MinimumRequestGap { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets the wait after a connection opens before the first request is sent (some devices need it).</summary>
    /// <value>The default value is 0. It must be from 0 to 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan ConnectDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Gets or sets after how many timeouts in a row, with no reply in between, the connection is considered dead (a
    /// half-open connection, a power-cycled device) and is closed, to be opened anew by the next request.
    /// </summary>
    /// <remarks>
    /// A request sent after a timeout does not wait for this count: if nothing at all arrives within half its
    /// deadline, the connection is replaced at once and the read sent again on the new one. The count matters when
    /// several requests were in flight together (<see cref="MaxRequestsInFlight"/> above 1) and time out together.
    /// </remarks>
    /// <value>The default value is 3. It must be from 1 to 100.</value>
    [Range(1, 100)]
    public int TimeoutsBeforeReconnect { get; set; } = 3;

    /// <summary>
    /// Gets or sets a value indicating whether a reply must carry the unit id of its request. Some gateways and
    /// direct devices answer with another unit id (0 or 0xFF); turn this off for them.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StrictUnitId { get; set; } = true;

    /// <summary>
    /// Gets or sets, for endpoints with <see cref="Flux.Devices.Transport.ModbusFraming.RtuOverTcp"/> framing, the
    /// least time between the end of one exchange and the next request: the serial line's silent interval of 3.5
    /// characters, which a transparent gateway may not keep by itself (3.5 characters of 11 bits are 4.0 ms at
    /// 9600 baud, 1.75 ms from 19200 baud up). 0 for gateways that time the serial line themselves.
    /// </summary>
    /// <value>The default value is 5 milliseconds. It must be from 0 to 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan RtuSilentInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Gets or sets how many plain TCP connections of this client get a thread of their own on Linux, which connects,
    /// sends and receives with blocking socket calls, when <see cref="MaxRequestsInFlight"/> is 1. The connections
    /// beyond it, pipelined connections, TLS connections and RTU-over-TCP connections use the asynchronous socket
    /// engine. 0 uses the engine for every connection.
    /// </summary>
    /// <remarks>
    /// A thread of its own saves the hand-over from the engine's event thread to the thread pool on every reply:
    /// about 10 microseconds per request on loopback, a third of a request's time (docs/DECISIONS.md, "Modbus client
    /// speed"). A waiting thread costs no CPU, but it reserves its stack (1.5 MB of address space, little of it
    /// resident), so the count is bounded. Replies complete their callers on the connection's thread either way. A
    /// connection the client replaces (a garbage reply, a stall) keeps its thread for its next connect; a thread ends,
    /// and its place is given back, when the device closes or fails the connection, a connect fails, or the client is
    /// disposed.
    /// </remarks>
    /// <value>The default value is 64. It must be from 0 to 4096.</value>
    [Range(0, 4096)]
    public int MaxReceiveThreads { get; set; } = 64;

    /// <summary>
    /// Gets or sets the client's Modbus/TCP Security settings (its certificate and the trust anchors), used for every
    /// endpoint whose <see cref="Flux.Devices.Transport.ModbusEndpoint.UseTls"/> is set.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: a request to a TLS endpoint fails with <see cref="Flux.Devices.Transport.ModbusSecurityException"/> (<see cref="Flux.Devices.Transport.ModbusSecurityFailure.NotConfigured"/>).</value>
    public ModbusTlsOptions? Tls { get; set; }
}
