namespace Flux.Devices.Transport;

/// <summary>
/// Creates transports of their own, for work whose retries and deadlines are its own: a network scan makes one
/// attempt per request and closes each host's connection when it is done with it; the health monitor applies each
/// device's template timeout and retry count, and nothing else. Registered by <c>UseModbusTcp()</c>.
/// </summary>
public interface IModbusTransportFactory
{
    /// <summary>Creates a transport for a scan: one attempt per request, no backoff, with the given deadlines.</summary>
    /// <param name="connectTimeout">The longest a connect may take.</param>
    /// <param name="requestTimeout">The deadline of each request.</param>
    /// <returns>The transport; dispose it (it is <see cref="IAsyncDisposable"/>) to close its connections.</returns>
    IModbusTransport CreateScanTransport(TimeSpan connectTimeout, TimeSpan requestTimeout);

    /// <summary>
    /// Creates a transport for health polling: the host's transport settings, except one attempt per request and no
    /// request deadline short of the caller's, so that the caller's deadline and retries are the only ones.
    /// </summary>
    /// <returns>The transport; dispose it (it is <see cref="IAsyncDisposable"/>) to close its connections.</returns>
    IModbusTransport CreatePollingTransport();
}
