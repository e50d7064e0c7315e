using Flux.Devices.Health;
using Flux.Devices.Health.Internal;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Health;

/// <summary>The poller: attempts with deadlines on the clock, classification of failures, samples and their counters.</summary>
public sealed class DevicePollerTests
{
    private static readonly ModbusEndpoint Endpoint = new(HealthTestDevices.Host, HealthTestDevices.Port);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeModbusTransport _transport = new();
    private readonly DevicePoller _poller;

    public DevicePollerTests()
    {
        _poller = new DevicePoller(_transport, new DeviceHealthOptions(), _time, new HealthMetrics(null, () => new int[3]), NullLogger.Instance);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PollAsync_DeviceAnswers_IsOnlineAndKeepsTheValuesReadForTelemetry()
    {
        var target = Target(HealthTestDevices.Device(registers: """
            {"soc": {"address": 100, "kind": "holding", "type": "uint32", "count": 2}, "running": {"address": 5, "kind": "coil"}}
            """));

        var (sample, outcome) = await _poller.PollAsync(target, Cancel);

        Assert.Equal((DeviceHealthStatus.Online, 0, 0), (sample.Status, sample.ResponseTimeMs!.Value, sample.ErrorCount));
        Assert.Equal(_time.GetUtcNow(), sample.Timestamp);
        Assert.Equal(sample.Timestamp, sample.LastSuccessfulPoll);
        Assert.Null(sample.Diagnostics);
        Assert.Equal(
            [new FakeModbusTransport.Read(Endpoint, 1, RegisterKind.Holding, 100, 2), new FakeModbusTransport.Read(Endpoint, 1, RegisterKind.Coil, 5, 1)],
            _transport.Reads);
        var readings = Assert.IsType<PollReadings>(outcome.Readings);
        Assert.Same(target.Plan, readings.Plan);
        Assert.Equal([100, 101], readings.Registers(0).ToArray());
        Assert.Equal([true], readings.Bits(1).ToArray());
        Assert.Equal(1, outcome.Attempts);
    }

    [Fact]
    public async Task PollAsync_NoReply_EachAttemptEndsAtTheDeviceDeadlineAndTheSampleIsATimeout()
    {
        var target = Target(HealthTestDevices.Device(timeout: "5s", retries: 1));
        _transport.Reply = FakeModbusTransport.Stall;

        var poll = _poller.PollAsync(target, Cancel).AsTask();
        await _transport.NextReadAsync();
        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.False(poll.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));
        await _transport.NextReadAsync(); // the retry, with a deadline of its own
        _time.Advance(TimeSpan.FromSeconds(5));
        var (sample, outcome) = await poll.WaitAsync(FakeModbusTransport.Patience, Cancel);

        Assert.Equal((DeviceHealthStatus.Offline, 1, null), (sample.Status, sample.ErrorCount, sample.ResponseTimeMs));
        Assert.Equal(new HealthDiagnostics { ErrorKind = HealthErrorKind.Timeout, Error = "no reply within 5 seconds", Attempts = 2 }, sample.Diagnostics);
        Assert.Null(outcome.Readings);
        Assert.Null(outcome.Exception);
    }

    public static TheoryData<Exception, HealthErrorKind, int?, int> Failures => new()
    {
        { new ModbusTransportException(Endpoint, "connection refused"), HealthErrorKind.Transport, null, 3 },
        { new ModbusTimeoutException(Endpoint, TimeSpan.FromSeconds(1), "receive"), HealthErrorKind.Timeout, null, 3 },
        { new ModbusProtocolException(Endpoint, "bad length"), HealthErrorKind.Protocol, null, 3 },
        { new ModbusException(Endpoint, 1, 3, ModbusExceptionCode.ServerDeviceBusy), HealthErrorKind.DeviceException, 6, 3 }, // busy: asked again
        { new ModbusException(Endpoint, 1, 3, ModbusExceptionCode.IllegalDataAddress), HealthErrorKind.DeviceException, 2, 1 }, // a wrong map: not asked again
        { new ModbusSecurityException(Endpoint, ModbusSecurityFailure.UntrustedCertificate, "the server's certificate is not trusted"), HealthErrorKind.Transport, null, 1 }, // TLS refused: not asked again
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task PollAsync_Failure_IsClassifiedAfterTheRetriesItDeserves(Exception failure, HealthErrorKind kind, int? exceptionCode, int attempts)
    {
        var target = Target(HealthTestDevices.Device(retries: 2));
        _transport.Reply = FakeModbusTransport.Throw(failure);

        var (sample, outcome) = await _poller.PollAsync(target, Cancel);

        Assert.Equal(DeviceHealthStatus.Offline, sample.Status);
        Assert.Equal(new HealthDiagnostics { ErrorKind = kind, Error = failure.Message, ExceptionCode = exceptionCode, Attempts = attempts }, sample.Diagnostics);
        Assert.Equal(attempts, _transport.Reads.Count);
        Assert.Same(failure, outcome.Exception);
    }

    [Fact]
    public async Task PollAsync_NoAddress_IsAConfigurationFailureWithoutAnyRead()
    {
        var device = HealthTestDevices.Device();
        var target = Target(device with { Metadata = device.Metadata.Without("ip_address") });

        var (sample, _) = await _poller.PollAsync(target, Cancel);

        Assert.Equal((HealthErrorKind.Configuration, 0), (sample.Diagnostics!.ErrorKind!.Value, sample.Diagnostics.Attempts));
        Assert.Contains("ip_address", sample.Diagnostics.Error, StringComparison.Ordinal);
        Assert.Empty(_transport.Reads);
    }

    [Fact]
    public async Task PollAsync_SuccessAfterARetry_IsDegradedWithTheFailureItGotOver()
    {
        var target = Target(HealthTestDevices.Device(retries: 3));
        var replies = 0;
        _transport.Reply = (_, _) => Interlocked.Increment(ref replies) == 1 ? Task.FromException(new ModbusTransportException(Endpoint, "reset")) : Task.CompletedTask;

        var (sample, outcome) = await _poller.PollAsync(target, Cancel);

        Assert.Equal((DeviceHealthStatus.Degraded, 0), (sample.Status, sample.ErrorCount));
        Assert.Equal((HealthErrorKind.Transport, 2), (sample.Diagnostics!.ErrorKind!.Value, sample.Diagnostics.Attempts));
        Assert.NotNull(outcome.Readings);
    }

    [Fact]
    public async Task PollAsync_SlowerThanTheThreshold_IsDegradedWithItsResponseTime()
    {
        var target = Target(HealthTestDevices.Device());
        _transport.Reply = (_, cancellationToken) => Task.Delay(TimeSpan.FromMilliseconds(1500), _time, cancellationToken);

        var poll = _poller.PollAsync(target, Cancel).AsTask();
        await _transport.NextReadAsync();
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        var (sample, _) = await poll.WaitAsync(FakeModbusTransport.Patience, Cancel);

        Assert.Equal((DeviceHealthStatus.Degraded, 1500, 1), (sample.Status, sample.ResponseTimeMs!.Value, sample.Diagnostics!.Attempts));
    }

    [Fact]
    public async Task PollAsync_FailuresThenASuccess_CountErrorsInARowAndCarryTheLastGoodPoll()
    {
        var target = Target(HealthTestDevices.Device(retries: 0));
        var (good, _) = await _poller.PollAsync(target, Cancel);
        _transport.Reply = FakeModbusTransport.Throw(new ModbusTransportException(Endpoint, "refused"));

        var failures = new List<DeviceHealthSample>();
        for (var i = 0; i < 2; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            failures.Add((await _poller.PollAsync(target, Cancel)).Sample);
        }

        _transport.Reply = (_, _) => Task.CompletedTask;
        _time.Advance(TimeSpan.FromMinutes(1));
        var (recovered, _) = await _poller.PollAsync(target, Cancel);

        Assert.Equal([1, 2], failures.Select(s => s.ErrorCount));
        Assert.All(failures, s => Assert.Equal(good.Timestamp, s.LastSuccessfulPoll));
        Assert.Equal((0, recovered.Timestamp), (recovered.ErrorCount, recovered.LastSuccessfulPoll!.Value));
    }

    [Fact]
    public async Task PollAsync_TwiceOnAStoppedClock_GivesTheSecondSampleALaterTimestamp()
    {
        var target = Target(HealthTestDevices.Device());

        var (first, _) = await _poller.PollAsync(target, Cancel);
        var (second, _) = await _poller.PollAsync(target, Cancel);

        Assert.Equal(first.Timestamp.AddTicks(10), second.Timestamp); // a microsecond on: the series' keys stay unique
    }

    [Fact]
    public async Task PollAsync_CallerCancels_EndsTheAttemptsWithoutASample()
    {
        var target = Target(HealthTestDevices.Device(timeout: "5s", retries: 3));
        _transport.Reply = FakeModbusTransport.Stall;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var poll = _poller.PollAsync(target, stop.Token).AsTask();
        await _transport.NextReadAsync();
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll.WaitAsync(FakeModbusTransport.Patience, Cancel));
        Assert.Single(_transport.Reads);
        Assert.Equal(0, target.ErrorCount);
    }

    private static PollTarget Target(Device device)
    {
        var target = new PollTarget(device.Id);
        target.Update(device, new DeviceHealthOptions());
        return target;
    }
}
