using System.Diagnostics.Metrics;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Modbus.Client;

/// <summary>Makes <see cref="ModbusTcpTransport"/>s of their own: for a scan, one attempt per request, no backoff, any unit id echo.</summary>
internal sealed class ModbusTcpTransportFactory(TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory) : IModbusTransportFactory
{
    public IModbusTransport CreateScanTransport(TimeSpan connectTimeout, TimeSpan requestTimeout) => new ModbusTcpTransport(
        new ModbusTcpOptions
        {
            ConnectTimeout = connectTimeout,
            RequestTimeout = requestTimeout,
            RetryCount = 0,
            RetryDelay = TimeSpan.Zero,
            MaxRetryDelay = TimeSpan.Zero,
            TimeoutsBeforeReconnect = 100,
            StrictUnitId = false,
        },
        timeProvider,
        loggerFactory,
        meterFactory);
}
