namespace Flux.Devices.Transport;

/// <summary>
/// Creates transports of their own, for work that must not share the host's connections or retry policy: a network
/// scan makes one attempt per request and closes each host's connection when it is done with it. Registered by
/// <c>UseModbusTcp()</c>.
/// </summary>
public interface IModbusTransportFactory
{
    /// <summary>Creates a transport for a scan: one attempt per request, no backoff, with the given deadlines.</summary>
    /// <param name="connectTimeout">The longest a connect may take.</param>
    /// <param name="requestTimeout">The deadline of each request.</param>
    /// <returns>The transport; dispose it (it is <see cref="IAsyncDisposable"/>) to close its connections.</returns>
    IModbusTransport CreateScanTransport(TimeSpan connectTimeout, TimeSpan requestTimeout);
}
