using Flux.Devices.Diagnostics;
using Flux.Devices.Internal;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Storage;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// Polls one device: reads its plan, attempt after attempt, each within the device's deadline on the clock, and turns
/// what the attempts came to into the device's next <see cref="DeviceHealthSample"/>, carrying its counters.
/// </summary>
internal sealed class DevicePoller(IModbusTransport transport, DeviceHealthOptions options, TimeProvider time, HealthMetrics metrics, ILogger logger)
{
    /// <summary>Polls the device of <paramref name="target"/> (already updated to the device as it is now) and counts the poll.</summary>
    /// <returns>The sample, and the outcome it came from (with the values read, on success).</returns>
    public async ValueTask<(DeviceHealthSample Sample, PollOutcome Outcome)> PollAsync(PollTarget target, CancellationToken cancellationToken)
    {
        var timestamp = time.GetStoredNow();
        if (target.LastTimestamp is { } last && timestamp <= last)
        {
            // Two polls within a microsecond (only a stopped test clock does that): keep the series' keys unique.
            timestamp = last.AddTicks(10);
        }

        var started = time.GetTimestamp();
        var outcome = await AttemptAsync(target, cancellationToken).ConfigureAwait(false);
        var sample = Record(target, timestamp, outcome);
        metrics.Polled(sample.Status, time.GetElapsedTime(started), outcome.ErrorKind);
        if (sample.Status == DeviceHealthStatus.Offline)
        {
            Log.PollFailed(logger, target.Device?.Name ?? string.Empty, target.DeviceId, outcome.Attempts, outcome.Error);
        }

        return (sample, outcome);
    }

    /// <summary>Reads the device's plan, attempt after attempt until one succeeds or the retries are spent, each within the device's timeout.</summary>
    public async ValueTask<PollOutcome> AttemptAsync(PollTarget target, CancellationToken cancellationToken)
    {
        if (target.Problem is { } problem)
        {
            return new PollOutcome { ErrorKind = HealthErrorKind.Configuration, Error = problem };
        }

        var readings = target.Readings;
        var outcome = default(PollOutcome);
        for (var attempt = 1; attempt <= target.Retries + 1; attempt++)
        {
            var started = time.GetTimestamp();
            using var deadline = new CancellationTokenSource(target.Timeout, time);
            using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
            try
            {
                await ReadAsync(target, readings, deadline.Token).ConfigureAwait(false);
                return outcome with { Succeeded = true, Elapsed = time.GetElapsedTime(started), Attempts = attempt, Readings = readings };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = new PollOutcome { Attempts = attempt, ErrorKind = HealthErrorKind.Timeout, Error = $"no reply within {Maintenance.DurationText.Format(target.Timeout)}" };
            }
            catch (ModbusException ex)
            {
                outcome = new PollOutcome { Attempts = attempt, ErrorKind = HealthErrorKind.DeviceException, Error = ex.Message, ExceptionCode = (int)ex.Code, Exception = ex };
                if (!ex.IsTransient)
                {
                    break; // The device refuses the request itself (a wrong map): asking again changes nothing.
                }
            }
            catch (FluxDevicesException ex)
            {
                outcome = new PollOutcome { Attempts = attempt, ErrorKind = Classify(ex), Error = ex.Message, Exception = ex };
                if (ex is ModbusSecurityException)
                {
                    break; // A certificate the peer refuses, or one we refuse, is refused again: no retry (Modbus/TCP Security).
                }
            }
        }

        return outcome;
    }

    /// <summary>Turns an outcome into the device's next sample, carrying its counters: online, degraded (slow or retried) or offline.</summary>
    public DeviceHealthSample Record(PollTarget target, DateTimeOffset timestamp, PollOutcome outcome)
    {
        target.LastTimestamp = timestamp;
        if (!outcome.Succeeded)
        {
            target.ErrorCount++;
            return new DeviceHealthSample
            {
                DeviceId = target.DeviceId,
                Timestamp = timestamp,
                Status = DeviceHealthStatus.Offline,
                ErrorCount = target.ErrorCount,
                LastSuccessfulPoll = target.LastSuccess,
                Diagnostics = outcome.Diagnostics(),
            };
        }

        target.ErrorCount = 0;
        target.LastSuccess = timestamp;
        var slow = outcome.Elapsed > options.DegradedThreshold;
        var retried = outcome.Attempts > 1;
        return new DeviceHealthSample
        {
            DeviceId = target.DeviceId,
            Timestamp = timestamp,
            Status = slow || retried ? DeviceHealthStatus.Degraded : DeviceHealthStatus.Online,
            ResponseTimeMs = (int)Math.Min(int.MaxValue, Math.Round(outcome.Elapsed.TotalMilliseconds)),
            ErrorCount = 0,
            LastSuccessfulPoll = timestamp,
            Diagnostics = slow || retried ? outcome.Diagnostics() : null,
        };
    }

    private static HealthErrorKind Classify(FluxDevicesException exception) => exception switch
    {
        ModbusTimeoutException => HealthErrorKind.Timeout,
        ModbusProtocolException => HealthErrorKind.Protocol,
        _ => HealthErrorKind.Transport,
    };

    /// <summary>Makes every read of the plan, into the target's buffers.</summary>
    private async ValueTask ReadAsync(PollTarget target, PollReadings readings, CancellationToken cancellationToken)
    {
        var requests = readings.Plan.Reads;
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            var read = request.Kind switch
            {
                RegisterKind.Holding => transport.ReadHoldingRegistersAsync(target.Endpoint, target.UnitId, request.Start, readings.Registers(i), cancellationToken),
                RegisterKind.Input => transport.ReadInputRegistersAsync(target.Endpoint, target.UnitId, request.Start, readings.Registers(i), cancellationToken),
                RegisterKind.Coil => transport.ReadCoilsAsync(target.Endpoint, target.UnitId, request.Start, readings.Bits(i), cancellationToken),
                _ => transport.ReadDiscreteInputsAsync(target.Endpoint, target.UnitId, request.Start, readings.Bits(i), cancellationToken),
            };
            await read.ConfigureAwait(false);
        }
    }
}
