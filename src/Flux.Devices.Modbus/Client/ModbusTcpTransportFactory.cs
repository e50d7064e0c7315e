using System.Diagnostics.Metrics;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Modbus.Client;

/// <summary>
/// Makes <see cref="ModbusTcpTransport"/>s of their own: for a scan, one attempt per request, no backoff, any unit id
/// echo; for polling, the host's options with one attempt per request and the longest request deadline allowed.
/// </summary>
internal sealed class ModbusTcpTransportFactory(ModbusTcpOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory) : IModbusTransportFactory
{
    private static readonly TimeSpan LongestRequest = TimeSpan.FromMinutes(5);

    public IModbusTransport CreateScanTransport(TimeSpan connectTimeout, TimeSpan requestTimeout) => Create(new ModbusTcpOptions
    {
        ConnectTimeout = connectTimeout,
        RequestTimeout = requestTimeout,
        RetryCount = 0,
        RetryDelay = TimeSpan.Zero,
        MaxRetryDelay = TimeSpan.Zero,
        TimeoutsBeforeReconnect = 100,
        StrictUnitId = false,
        Tls = options.Tls,
    });

    public IModbusTransport CreatePollingTransport()
    {
        var polling = ModbusTcpTransport.Copy(options);
        polling.RequestTimeout = LongestRequest;
        polling.RetryCount = 0;
        return Create(polling);
    }

    private ModbusTcpTransport Create(ModbusTcpOptions transportOptions) => new(transportOptions, timeProvider, loggerFactory, meterFactory);
}
