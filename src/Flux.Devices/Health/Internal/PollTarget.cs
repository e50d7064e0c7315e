using Flux.Devices.Internal;
using Flux.Devices.RegisterMaps;
using Flux.Devices.Templates;
using Flux.Devices.Transport;

namespace Flux.Devices.Health.Internal;

/// <summary>What the monitor knows of one device: how to poll it, when, and what its last polls said.</summary>
internal sealed class PollTarget(Guid deviceId)
{
    /// <summary>The plan of a device without a register map: holding register 0, as the spec's health check reads.</summary>
    private static readonly PollPlan DefaultPlan = new RegisterPollPlan(ReadPlan.Create([new RegisterDefinition { Name = "register_0", Address = 0 }]));

    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    private const int MaxRetries = 10;

    private int _inFlight;
    private int _polling;
    private PollReadings? _readings;

    public Guid DeviceId { get; } = deviceId;

    public Device? Device { get; private set; }

    public ModbusEndpoint Endpoint { get; private set; }

    public byte UnitId { get; private set; }

    /// <summary>Why the device cannot be polled (its metadata does not say where it is), or null.</summary>
    public string? Problem { get; private set; }

    public PollPlan Plan { get; private set; } = DefaultPlan;

    /// <summary>Where a poll reads the plan's values into, made again when the plan changes (see <see cref="PollReadings"/>).</summary>
    public PollReadings Readings => _readings is { } readings && ReferenceEquals(readings.Plan, Plan) ? readings : _readings = new PollReadings(Plan);

    /// <summary>The device's <c>ct_ratio</c> (1 without one): a secondary-side current's factor.</summary>
    public double CtRatio { get; private set; } = 1;

    /// <summary>The device's <c>vt_ratio</c> (1 without one): a secondary-side voltage's factor.</summary>
    public double VtRatio { get; private set; } = 1;

    /// <summary>Where the device's polls are decoded into while it is Active (see <see cref="Telemetry.Internal.DeviceTelemetry.FrameFor"/>).</summary>
    public Telemetry.Internal.TelemetryFrame? Telemetry { get; set; }

    public TimeSpan Interval { get; private set; }

    public TimeSpan Timeout { get; private set; }

    public int Retries { get; private set; }

    public int ErrorCount { get; set; }

    public DateTimeOffset? LastSuccess { get; set; }

    public DateTimeOffset? LastTimestamp { get; set; }

    public bool OfflineReported { get; set; }

    /// <summary>How many probes of the device have gone unanswered since it failed (0 when it is not Failed).</summary>
    public int FailedProbes { get; private set; }

    public DeviceHealth? Latest { get; set; }

    /// <summary>When the loop polls the device next.</summary>
    public DateTimeOffset NextDue { get; set; }

    public bool InFlight => Volatile.Read(ref _inFlight) != 0;

    public bool TryBegin() => Interlocked.CompareExchange(ref _inFlight, 1, 0) == 0;

    public void End()
    {
        Volatile.Write(ref _polling, 0);
        Volatile.Write(ref _inFlight, 0);
    }

    /// <summary>Whether the poll has its slot and is under way (not waiting for a slot): a device with leases is not given back then.</summary>
    public bool Polling => Volatile.Read(ref _polling) != 0;

    /// <summary>Marks the poll under way, once it has its slot.</summary>
    public void BeginPolling() => Interlocked.Exchange(ref _polling, 1);

    /// <summary>Takes a newer version of the device, reading its address and configuration again when it changed.</summary>
    public void Update(Device device, DeviceHealthOptions options)
    {
        if (Device is { } known && known.Version == device.Version)
        {
            return;
        }

        Device = device;
        Problem = DeviceAddressing.TryRead(device.Metadata, out var endpoint, out var unitId, out var problem) ? null : problem;
        Endpoint = endpoint;
        UnitId = unitId;
        DeviceConfiguration.TryRead(device.Metadata, out var configuration);
        Plan = PlanOf(device, configuration, out var planProblem);
        Problem ??= planProblem;
        CtRatio = Ratio(device.Metadata, "ct_ratio");
        VtRatio = Ratio(device.Metadata, "vt_ratio");
        // A device's configuration is metadata any tool may have written: keep it within the options' ranges.
        Interval = Clamp(configuration?.PollingInterval ?? options.DefaultPollingInterval, MinInterval, MaxInterval);
        Timeout = Clamp(configuration?.Timeout ?? options.DefaultTimeout, MinTimeout, MaxTimeout);
        Retries = Math.Clamp(configuration?.RetryCount ?? options.DefaultRetryCount, 0, MaxRetries);
    }

    /// <summary>
    /// After a poll: when the device is <see cref="DeviceState.Failed"/>, sets its next probe on the backoff
    /// (<see cref="DeviceHealthOptions.FailedRetryInterval"/> doubled for each probe that went unanswered, at most
    /// <see cref="DeviceHealthOptions.FailedRetryMaxInterval"/>); otherwise forgets the backoff. The polling grid applies again
    /// once the device is back.
    /// </summary>
    /// <returns>The wait until the next probe, or <see langword="null"/> when the device is not Failed.</returns>
    public TimeSpan? ScheduleAfter(DeviceState state, DateTimeOffset now, DeviceHealthOptions options)
    {
        if (state != DeviceState.Failed)
        {
            FailedProbes = 0;
            return null;
        }

        var wait = options.FailedRetryInterval;
        for (var i = 0; i < FailedProbes && wait < options.FailedRetryMaxInterval; i++)
        {
            wait += wait;
        }

        wait = wait > options.FailedRetryMaxInterval ? options.FailedRetryMaxInterval : wait;
        FailedProbes++;
        NextDue = now + wait;
        return wait;
    }

    /// <summary>Carries the counters of the newest stored sample across a restart.</summary>
    public void Seed(DeviceHealthSample latest)
    {
        ErrorCount = latest.ErrorCount;
        LastSuccess = latest.LastSuccessfulPoll;
        LastTimestamp = latest.Timestamp;
        OfflineReported = latest.Status == DeviceHealthStatus.Offline;
    }

    /// <summary>
    /// The plan of a device's configuration: a SunSpec device's from the model chain recorded in its metadata (no chain
    /// recorded: the default plan and a problem that names what is missing), a register map's from its map, else the
    /// default plan (holding register 0).
    /// </summary>
    private static PollPlan PlanOf(Device device, DeviceConfiguration? configuration, out string? problem)
    {
        problem = null;
        if (configuration is { IsSunSpec: true })
        {
            return SunSpec.SunSpecPollPlan.TryCreate(device.Metadata, configuration.Points, out var plan, out problem) ? plan : DefaultPlan;
        }

        return configuration is { RegisterMap.Registers.Count: > 0 } ? new RegisterPollPlan(ReadPlan.ForMap(configuration.RegisterMap)) : DefaultPlan;
    }

    /// <summary>A positive finite ratio from the metadata (a meter's <c>ct_ratio</c>, <c>vt_ratio</c>), else 1.</summary>
    private static double Ratio(DeviceMetadata metadata, string key) =>
        metadata.TryGetValue(key, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number && value.TryGetDouble(out var ratio) && double.IsFinite(ratio) && ratio > 0 ? ratio : 1;

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    /// <summary>The first slot after <paramref name="now"/> on the grid of <paramref name="scheduled"/> + k × interval, so that a late poll does not shift the period.</summary>
    public static DateTimeOffset NextSlot(DateTimeOffset scheduled, TimeSpan interval, DateTimeOffset now)
    {
        var next = scheduled + interval;
        if (next > now)
        {
            return next;
        }

        var missed = (now - scheduled).Ticks / interval.Ticks;
        return scheduled + TimeSpan.FromTicks(interval.Ticks * (missed + 1));
    }
}
