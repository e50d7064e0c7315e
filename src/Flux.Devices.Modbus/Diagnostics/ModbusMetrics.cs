using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flux.Devices.Diagnostics;
using Flux.Devices.Transport;

namespace Flux.Devices.Modbus.Diagnostics;

/// <summary>
/// The client's instruments on the <c>Flux.Devices</c> meter: request duration (seconds), timeouts, exception replies by
/// code, late replies discarded and connections opened. Without an <see cref="IMeterFactory"/> nothing is measured.
/// </summary>
internal sealed class ModbusMetrics
{
    // Boxed once: a tag value is an object, and a request must not allocate one.
    private static readonly object[] BoxedCodes = [.. Enumerable.Range(0, 256).Select(static b => (object)(byte)b)];

    private readonly Histogram<double>? _duration;
    private readonly Counter<long>? _timeouts;
    private readonly Counter<long>? _exceptions;
    private readonly Counter<long>? _lateReplies;
    private readonly Counter<long>? _connections;

    public ModbusMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(FluxDevicesDiagnostics.MeterName);
        _duration = meter.CreateHistogram(
            "flux.devices.modbus.request.duration",
            unit: "s",
            description: "Duration of Modbus requests, from first send to reply, retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _timeouts = meter.CreateCounter<long>("flux.devices.modbus.timeouts", unit: "{timeout}", description: "Modbus request attempts that passed their deadline.");
        _exceptions = meter.CreateCounter<long>("flux.devices.modbus.exceptions", unit: "{reply}", description: "Modbus exception replies, by code.");
        _lateReplies = meter.CreateCounter<long>("flux.devices.modbus.late_replies", unit: "{reply}", description: "Replies that arrived after their request had ended, discarded.");
        _connections = meter.CreateCounter<long>("flux.devices.modbus.connections", unit: "{connection}", description: "Modbus TCP connections opened.");
    }

    public void RequestCompleted(byte functionCode, string outcome, TimeSpan elapsed)
    {
        if (_duration is { Enabled: true })
        {
            _duration.Record(elapsed.TotalSeconds, new TagList { { "modbus.function_code", BoxedCodes[functionCode] }, { "outcome", outcome } });
        }
    }

    public void Timeout() => _timeouts?.Add(1);

    public void ExceptionReply(ModbusExceptionCode code)
    {
        if (_exceptions is { Enabled: true })
        {
            _exceptions.Add(1, new KeyValuePair<string, object?>("modbus.exception_code", BoxedCodes[(byte)code]));
        }
    }

    public void LateReply() => _lateReplies?.Add(1);

    public void Connected() => _connections?.Add(1);
}
