using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Flux.Devices.Diagnostics;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Discovery;

/// <summary>
/// The scanner: hosts in parallel (bounded), each host with one transport of its own (so one connection at a time,
/// closed when the host is done), its ports one after another, its unit ids one after another at the host's rate cap,
/// then the probes on each responder.
/// </summary>
internal sealed class DeviceScanner(IModbusTransportFactory transports, IEnumerable<IDeviceTypeProbe> probes, TimeProvider time, ILogger logger) : IDeviceScanner
{
    private readonly IDeviceTypeProbe[] _probes = [.. probes];

    public async IAsyncEnumerable<DiscoveredDevice> ScanAsync(
        DeviceScanOptions options,
        IProgress<ScanProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var counters = new Counters { HostsTotal = options.Hosts.GetHosts().LongCount(h => !options.Exclude.Contains(h)) };
        var found = Channel.CreateUnbounded<DiscoveredDevice>(new UnboundedChannelOptions { SingleReader = true });
        using var activity = ScanActivity.Start(options, counters.HostsTotal); // the hosts' activities are its children
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(options, counters, found.Writer, progress, stop.Token);
        try
        {
            await foreach (var device in found.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return device;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var done = counters.Snapshot();
            ScanActivity.Finish(activity, done, producer);
            Log.ScanFinished(logger, done.HostsScanned, done.HostsTotal, done.DevicesFound, done.HostsAnswering, done.RequestsSent);
        }

        await producer.ConfigureAwait(false); // a scan that failed says why
    }

    private async Task ProduceAsync(DeviceScanOptions options, Counters counters, ChannelWriter<DiscoveredDevice> found, IProgress<ScanProgress>? progress, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var hosts = options.Hosts.GetHosts().Where(h => !options.Exclude.Contains(h));
            await Parallel.ForEachAsync(
                hosts,
                new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrentHosts, CancellationToken = cancellationToken },
                async (host, token) =>
                {
                    var devices = await ScanHostAsync(host, options, counters, found, token).ConfigureAwait(false);
                    Interlocked.Increment(ref counters.HostsScanned);
                    if (devices > 0)
                    {
                        Interlocked.Increment(ref counters.HostsAnswering);
                    }

                    progress?.Report(counters.Snapshot());
                }).ConfigureAwait(false);
            found.Complete();
        }
        catch (Exception ex)
        {
            found.Complete(ex);
            throw;
        }
    }

    /// <summary>Scans one host within its budget; returns how many devices it found there.</summary>
    private async ValueTask<int> ScanHostAsync(IPAddress host, DeviceScanOptions options, Counters counters, ChannelWriter<DiscoveredDevice> found, CancellationToken cancellationToken)
    {
        using var activity = ScanActivity.StartHost(host);
        using var budget = new CancellationTokenSource(options.HostBudget, time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), budget);
        var inner = transports.CreateScanTransport(options.ConnectTimeout, options.RequestTimeout);
        var count = 0;
        var exhausted = false;
        try
        {
            var spacing = TimeSpan.FromSeconds(1.0 / options.MaxRequestsPerSecondPerHost);
            using var transport = new ScanTransport(inner, spacing, time, () => Interlocked.Increment(ref counters.RequestsSent));
            foreach (var port in options.Ports)
            {
                var endpoint = new ModbusEndpoint(host.ToString(), port) { Framing = options.Framing, UseTls = options.UseTls };
                if (options.ExcludeEndpoints.Contains(endpoint))
                {
                    Interlocked.Add(ref counters.UnitsExcluded, options.UnitIds.Count);
                    continue;
                }

                IReadOnlyList<byte> unitIds = options.ExcludeUnits.Count == 0
                    ? options.UnitIds
                    : [.. options.UnitIds.Where(u => !options.ExcludeUnits.Contains(new ModbusUnitAddress(endpoint, u)))];
                Interlocked.Add(ref counters.UnitsExcluded, options.UnitIds.Count - unitIds.Count);
                if (unitIds.Count > 0)
                {
                    await ScanPortAsync(transport, endpoint, unitIds, options, Found, Refused, budget.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The host's budget ran out: the devices already reported stand, the rest of the host is skipped.
            exhausted = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            FluxActivities.Fail(activity, ex);
            throw;
        }
        finally
        {
            if (inner is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
        }

        ScanActivity.FinishHost(activity, count, exhausted);
        return count;

        void Refused(ModbusSecurityException error)
        {
            Interlocked.Increment(ref counters.EndpointsRefused);
            counters.LastRefusal = error.Message;
            Log.ScanEndpointRefused(logger, error.Endpoint, error.Failure, error.Message);
        }

        async ValueTask Found(DiscoveredDevice device)
        {
            count++;
            Interlocked.Increment(ref counters.DevicesFound);
            await found.WriteAsync(device, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sweeps the unit ids of one port, then identifies and reports each responder as soon as it is known.</summary>
    private async ValueTask ScanPortAsync(
        ScanTransport transport,
        ModbusEndpoint endpoint,
        IReadOnlyList<byte> unitIds,
        DeviceScanOptions options,
        Func<DiscoveredDevice, ValueTask> report,
        Action<ModbusSecurityException> refused,
        CancellationToken cancellationToken)
    {
        var responders = new List<(byte UnitId, Presence Presence)>();
        var silent = 0;
        foreach (var unitId in unitIds)
        {
            var presence = await ProbePresenceAsync(transport, endpoint, unitId, cancellationToken).ConfigureAwait(false);
            if (presence.Refusal is { } refusal)
            {
                refused(refusal); // Something listens, but the connection's security failed: not an empty port.
                break;
            }

            if (presence.Kind == PresenceKind.Unreachable)
            {
                break; // Nothing listens, the connection failed, or what answers does not speak Modbus.
            }

            silent = presence.Kind == PresenceKind.Silent ? silent + 1 : 0;
            if (responders.Count == 0 && silent >= options.SilentTimeoutsPerPort)
            {
                break; // Accepts connections, never answers: a stalled device is given up, not waited on per unit id.
            }

            if (presence.Kind == PresenceKind.Present)
            {
                responders.Add((unitId, presence));
            }
        }

        if (responders.Count >= 2 && responders.Count == unitIds.Count && responders.All(r => r.Presence.Exception == responders[0].Presence.Exception))
        {
            // Every unit id answered alike (register 0 itself may change between reads): one device that ignores the unit
            // id, if the first and the last look alike to the probes.
            var first = await IdentifyAsync(transport, endpoint, responders[0].UnitId, options, cancellationToken).ConfigureAwait(false);
            var last = await IdentifyAsync(transport, endpoint, responders[^1].UnitId, options, cancellationToken).ConfigureAwait(false);
            if (first == last)
            {
                await report(Found(endpoint, responders[0].UnitId, responders[0].Presence, first) with { IgnoresUnitId = true }).ConfigureAwait(false);
                return;
            }
        }

        foreach (var (unitId, presence) in responders)
        {
            var identity = await IdentifyAsync(transport, endpoint, unitId, options, cancellationToken).ConfigureAwait(false);
            await report(Found(endpoint, unitId, presence, identity)).ConfigureAwait(false);
        }
    }

    private DiscoveredDevice Found(ModbusEndpoint endpoint, byte unitId, Presence presence, DeviceProbeResult? identity) => new()
    {
        Endpoint = endpoint,
        UnitId = unitId,
        PresenceException = presence.Exception,
        Identity = identity,
        DiscoveredAt = time.GetUtcNow(),
    };

    /// <summary>The spec's presence test, holding register 0, classified by what came back.</summary>
    private static async ValueTask<Presence> ProbePresenceAsync(ScanTransport transport, ModbusEndpoint endpoint, byte unitId, CancellationToken cancellationToken)
    {
        var register = new ushort[1];
        try
        {
            await transport.ReadHoldingRegistersAsync(endpoint, unitId, 0, register, cancellationToken).ConfigureAwait(false);
            return new Presence(PresenceKind.Present, register[0], null);
        }
        catch (ModbusException ex) when (ex.Code is ModbusExceptionCode.GatewayTargetDeviceFailedToRespond or ModbusExceptionCode.GatewayPathUnavailable)
        {
            return new Presence(PresenceKind.Absent, 0, ex.Code);
        }
        catch (ModbusException ex)
        {
            return new Presence(PresenceKind.Present, 0, ex.Code); // A refusal is an answer: something is there.
        }
        catch (ModbusTimeoutException)
        {
            return new Presence(PresenceKind.Silent, 0, null);
        }
        catch (ModbusSecurityException ex)
        {
            return new Presence(PresenceKind.Unreachable, 0, null) { Refusal = ex };
        }
        catch (Exception ex) when (ex is ModbusTransportException or ModbusProtocolException)
        {
            return new Presence(PresenceKind.Unreachable, 0, null);
        }
    }

    /// <summary>Asks the probes in turn; a probe that fails on the wire counts as not recognising the device.</summary>
    private async ValueTask<DeviceProbeResult?> IdentifyAsync(ScanTransport transport, ModbusEndpoint endpoint, byte unitId, DeviceScanOptions options, CancellationToken cancellationToken)
    {
        var context = new ProbeContext(transport, endpoint, unitId, options.Templates);
        foreach (var probe in _probes)
        {
            try
            {
                if (await probe.ProbeAsync(context, cancellationToken).ConfigureAwait(false) is { } result)
                {
                    return result;
                }
            }
            catch (FluxDevicesException)
            {
                // Timeouts, refusals and malformed replies: not this probe's kind of device.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A probe that asked for more than discovery allows, or failed on its own: it learns nothing, the scan goes on.
                Log.ProbeFailed(logger, ex, probe.Name, endpoint, unitId);
            }
        }

        return null;
    }

    private enum PresenceKind
    {
        Present,
        Absent,
        Silent,
        Unreachable,
    }

    private readonly record struct Presence(PresenceKind Kind, ushort Value, ModbusExceptionCode? Exception)
    {
        /// <summary>Gets why the connection's security failed (TLS refused either way), when that made the port unreachable.</summary>
        public ModbusSecurityException? Refusal { get; init; }
    }

    private sealed class Counters
    {
        public long HostsTotal;
        public long HostsScanned;
        public long HostsAnswering;
        public long DevicesFound;
        public long RequestsSent;
        public long UnitsExcluded;
        public long EndpointsRefused;
        public volatile string? LastRefusal;

        public ScanProgress Snapshot() => new()
        {
            HostsTotal = HostsTotal,
            HostsScanned = Interlocked.Read(ref HostsScanned),
            HostsAnswering = Interlocked.Read(ref HostsAnswering),
            DevicesFound = Interlocked.Read(ref DevicesFound),
            RequestsSent = Interlocked.Read(ref RequestsSent),
            UnitsExcluded = Interlocked.Read(ref UnitsExcluded),
            EndpointsRefused = Interlocked.Read(ref EndpointsRefused),
            LastRefusal = LastRefusal,
        };
    }
}
