using System.Net;
using System.Threading.Channels;
using Flux.Devices.Health;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Notifications;
using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Modbus.Tests.Health;

/// <summary>
/// A registry with the Modbus TCP client and the health monitor on a fake clock, simulated devices on loopback
/// servers, and channels that tell a test when a request reached a device, when a sample was taken and when the
/// polling loop went to sleep, so that the test advances the clock only then.
/// </summary>
internal sealed class HealthRig : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<ModbusTcpServer> _servers = [];
    private readonly Channel<ModbusRequestRecord> _requests = Channel.CreateUnbounded<ModbusRequestRecord>();
    private readonly Channel<DateTimeOffset> _sleeps = Channel.CreateUnbounded<DateTimeOffset>();

    private HealthRig(Action<DeviceHealthOptions>? configure, IDeviceStore? store, ITelemetryStore? telemetryStore)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        if (telemetryStore is not null)
        {
            services.AddSingleton(telemetryStore);
        }

        var builder = services.AddFluxDevices()
            .UseModbusTcp(o =>
            {
                // The monitor's deadline is the one under test; the client's own retries and backoff stay out of the way.
                o.RequestTimeout = TimeSpan.FromMinutes(5);
                o.ConnectTimeout = TimeSpan.FromMinutes(5);
                o.RetryCount = 0;
                o.RetryDelay = TimeSpan.Zero;
                o.MaxRetryDelay = TimeSpan.Zero;
            })
            .AddNotifier(Notifier)
            .AddHealthObserver(Observer);
        if (store is not null)
        {
            builder.UseStore(store);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Monitor = (DeviceHealthMonitor)Services.GetRequiredService<IDeviceHealthMonitor>();
        Monitor.Sleeping = until => _sleeps.Writer.TryWrite(until);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));

    public RecordingNotifier Notifier { get; } = new();

    public SampleChannel Observer { get; } = new();

    public ServiceProvider Services { get; }

    public IDeviceRegistry Registry => Services.GetRequiredService<IDeviceRegistry>();

    public IDeviceStore Store => Services.GetRequiredService<IDeviceStore>();

    public DeviceHealthMonitor Monitor { get; }

    public static HealthRig Create(Action<DeviceHealthOptions>? configure = null, IDeviceStore? store = null, ITelemetryStore? telemetryStore = null) => new(configure, store, telemetryStore);

    public async Task<ModbusTcpServer> StartServerAsync()
    {
        var server = new ModbusTcpServer(new ModbusTcpServerOptions { RecordRequests = true }, Time);
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
        server.RequestReceived += request => _requests.Writer.TryWrite(request);
        _servers.Add(server);
        return server;
    }

    /// <summary>Registers a BESS served by <paramref name="unit"/> at <paramref name="unitId"/> on <paramref name="server"/>, and deploys a configuration without a register map (the poll reads holding register 0).</summary>
    public async Task<Device> AddConfiguredAsync(string name, ModbusTcpServer server, byte unitId, ModbusUnit unit)
    {
        server.AddUnit(unitId, unit);
        var device = await RegisterAsync(name, server.Endpoint.Port, unitId);
        return await Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async Task<Device> RegisterAsync(string name, int port, byte unitId, string host = "127.0.0.1")
    {
        var registration = SpecSamples.Bess(name, modbusAddress: unitId);
        registration = registration with { Metadata = registration.Metadata.With("ip_address", host).With("port", (long)port) };
        return await Registry.RegisterAsync(registration, cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>Polls a configured device until it is Active (its first poll does it when it answers).</summary>
    public async Task<Device> ActivateAsync(Device device)
    {
        var samples = await Monitor.CheckAsync(DeviceFilter.Parse($"name={device.Name}"), TestContext.Current.CancellationToken);
        Assert.Single(samples);
        var active = await Registry.GetAsync(device.Id, TestContext.Current.CancellationToken);
        Assert.Equal(DeviceState.Active, active!.State);
        return active;
    }

    public async Task<ModbusRequestRecord> NextRequestAsync() =>
        await _requests.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken);

    public async Task<DateTimeOffset> NextSleepAsync() =>
        await _sleeps.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Every sample the monitor takes, in the order taken.</summary>
    internal sealed class SampleChannel : IDeviceHealthObserver
    {
        private readonly Channel<(Device Device, DeviceHealthSample Sample)> _samples = Channel.CreateUnbounded<(Device, DeviceHealthSample)>();

        public ValueTask OnSampledAsync(Device device, DeviceHealthSample sample, CancellationToken cancellationToken)
        {
            _samples.Writer.TryWrite((device, sample));
            return ValueTask.CompletedTask;
        }

        public async Task<(Device Device, DeviceHealthSample Sample)> NextAsync() =>
            await _samples.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken);

        public async Task<List<(Device Device, DeviceHealthSample Sample)>> NextAsync(int count)
        {
            var taken = new List<(Device, DeviceHealthSample)>(count);
            while (taken.Count < count)
            {
                taken.Add(await NextAsync());
            }

            return taken;
        }
    }
}
