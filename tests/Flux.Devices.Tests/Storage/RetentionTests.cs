using System.Threading.Channels;
using Flux.Devices.Health;
using Flux.Devices.Storage;
using Flux.Devices.Telemetry;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Storage;

/// <summary>Retention: each series beyond its window deleted in bounded batches, once (<see cref="IDataRetention"/>) or on a schedule (<c>AddRetention</c>).</summary>
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunOnceAsync_DeletesEachSeriesBeyondItsWindow_InBatchesOfTheBatchSize()
    {
        var time = new FakeTimeProvider(Now);
        var store = new CountingStore(new InMemoryDeviceStore());
        await using var provider = Build(time, store, o => (o.HealthSamples, o.Telemetry, o.BatchSize) = (null, TimeSpan.FromDays(30), 2));
        var device = await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), Cancel);
        int[] daysAgo = [40, 35, 31, 29, 1];
        await store.AppendTelemetryAsync([.. daysAgo.Select(d => Reading(device.Id, Now.AddDays(-d)))], Cancel);
        await store.AppendHealthAsync([.. daysAgo.Select(d => new DeviceHealthSample { DeviceId = device.Id, Timestamp = Now.AddDays(-d), Status = DeviceHealthStatus.Online })], Cancel);

        var outcomes = await provider.GetRequiredService<IDataRetention>().RunOnceAsync(Cancel);

        Assert.Equal(
            [
                new RetentionOutcome { Series = RetainedSeries.HealthSamples },
                new RetentionOutcome { Series = RetainedSeries.Telemetry, Window = TimeSpan.FromDays(30), Before = Now.AddDays(-30), Deleted = 3, Batches = 2 },
            ],
            outcomes);
        Assert.Equal([2, 2], store.Limits); // bounded: never more than the batch size in one delete
        Assert.Equal(
            [Now.AddDays(-29), Now.AddDays(-1)],
            (await store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Select(r => r.Timestamp));
        Assert.Equal(5, (await store.GetHealthAsync(device.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel)).Count);
    }

    [Fact]
    public async Task AddRetention_RunsAtStartAndThenEveryInterval_OnTheHostsClock()
    {
        var time = new FakeTimeProvider(Now);
        var store = new InMemoryDeviceStore();
        var runs = Channel.CreateUnbounded<IReadOnlyList<RetentionOutcome>>();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddFluxDevices().UseStore(store).AddRetention(o => (o.Interval, o.Telemetry) = (TimeSpan.FromHours(1), TimeSpan.FromDays(30)));
        services.AddSingleton<IDataRetention>(sp => new SignallingRetention(ActivatorUtilities.CreateInstance<DataRetention>(sp, sp.GetRequiredService<IRetentionStore>()), runs.Writer));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var device = await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), Cancel);
        await store.AppendTelemetryAsync([Reading(device.Id, Now.AddDays(-31)), Reading(device.Id, Now.AddDays(-30).AddMinutes(30))], Cancel);
        var hosted = Assert.Single(provider.GetServices<IHostedService>(), s => s is RetentionService);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        deadline.CancelAfter(TimeSpan.FromSeconds(30)); // generous: each run is signalled, never waited for by time

        await hosted.StartAsync(Cancel);
        try
        {
            Assert.Equal(1, Telemetry(await runs.Reader.ReadAsync(deadline.Token)).Deleted);

            time.Advance(TimeSpan.FromHours(1)); // the second row is now 30 days and 30 minutes old
            Assert.Equal(1, Telemetry(await runs.Reader.ReadAsync(deadline.Token)).Deleted);
            Assert.Empty(await store.GetTelemetryAsync(device.Id, null, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Cancel));
        }
        finally
        {
            await hosted.StopAsync(Cancel);
        }
    }

    [Fact]
    public void Options_OutOfRange_FailValidationNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().AddRetention(o => (o.HealthSamples, o.BatchSize) = (TimeSpan.Zero, 0));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RetentionOptions>>().Value);

        Assert.Contains(nameof(RetentionOptions.HealthSamples), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(RetentionOptions.BatchSize), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_ATelemetryStoreWithoutRetention_IsNamed_UnlessTelemetryIsKeptForEver()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseTelemetryStore(_ => new NoRetentionTelemetry());
        await using var provider = services.BuildServiceProvider();
        var retention = provider.GetRequiredService<IDataRetention>();

        var error = await Assert.ThrowsAsync<NotSupportedException>(async () => await retention.RunOnceAsync(Cancel));
        Assert.Contains(nameof(NoRetentionTelemetry), error.Message, StringComparison.Ordinal);

        provider.GetRequiredService<IOptions<RetentionOptions>>().Value.Telemetry = null;
        Assert.Equal(0, (await retention.RunOnceAsync(Cancel)).Sum(o => o.Deleted));
    }

    private static RetentionOutcome Telemetry(IReadOnlyList<RetentionOutcome> run) => Assert.Single(run, o => o.Series == RetainedSeries.Telemetry);

    private static ServiceProvider Build(TimeProvider time, IDeviceStore store, Action<RetentionOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddFluxDevices().UseStore(store).AddRetention(configure);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static TelemetryReading Reading(Guid deviceId, DateTimeOffset at) => new() { DeviceId = deviceId, Point = "soe", Value = 1, Timestamp = at };

    /// <summary>The in-memory store, recording the limit of every retention delete.</summary>
    private sealed class CountingStore(InMemoryDeviceStore inner) : DelegatingDeviceStore(inner)
    {
        public List<int> Limits { get; } = [];

        public override ValueTask<int> DeleteExpiredAsync(RetainedSeries series, DateTimeOffset before, int limit, CancellationToken cancellationToken = default)
        {
            Limits.Add(limit);
            return base.DeleteExpiredAsync(series, before, limit, cancellationToken);
        }
    }

    /// <summary>Hands each run's outcome to the test, so that it waits for runs, not for time.</summary>
    private sealed class SignallingRetention(IDataRetention inner, ChannelWriter<IReadOnlyList<RetentionOutcome>> runs) : IDataRetention
    {
        public async ValueTask<IReadOnlyList<RetentionOutcome>> RunOnceAsync(CancellationToken cancellationToken = default)
        {
            var outcomes = await inner.RunOnceAsync(cancellationToken);
            await runs.WriteAsync(outcomes, cancellationToken);
            return outcomes;
        }
    }

    private sealed class NoRetentionTelemetry : ITelemetryStore
    {
        public ValueTask AppendTelemetryAsync(IReadOnlyList<TelemetryReading> readings, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<TelemetryReading>> GetTelemetryAsync(Guid deviceId, IReadOnlyCollection<string>? points, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IReadOnlyList<TelemetryReading>>([]);
    }
}
