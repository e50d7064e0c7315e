using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

/// <summary><c>UseSqlite</c> in a container.</summary>
public sealed class DependencyInjectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Dispose_Synchronous_EveryServiceResolved_DoesNotThrow()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(Path.Combine(_directory, "flux.db"));
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        foreach (var type in services.Where(d => !d.IsKeyedService).Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            _ = provider.GetServices(type).ToList();
        }

        var device = await provider.GetRequiredService<IDeviceRegistry>().RegisterAsync(SpecSamples.Bess(), cancellationToken: TestContext.Current.CancellationToken);
        var store = (SqliteDeviceStore)provider.GetRequiredService<IDeviceStore>();

        provider.Dispose();

        Assert.Equal(device, await store.GetAsync(device.Id, TestContext.Current.CancellationToken)); // the store holds nothing the container closes
        store.Dispose();
    }

    [Fact]
    public void UseSqlite_OptionsOutOfRange_FailWhenTheStoreIsMade_NamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(Path.Combine(_directory, "flux.db"), o => o.BusyTimeout = TimeSpan.FromMilliseconds(500));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<IDeviceStore>());

        Assert.Contains(nameof(SqliteStoreOptions.BusyTimeout), error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "flux.db")));
    }

    [Fact]
    public async Task Leases_OnSqlite_AreAConfigurationErrorAtStart_NamingTheOptionAndTheStore()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(Path.Combine(_directory, "flux.db")).AddHealthMonitor(o => o.Leases.Enabled = true);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Flux.Devices.Health.DeviceHealthOptions>>().Value);

        Assert.Contains("DeviceHealthOptions.Leases.Enabled is set, but the device store (SqliteDeviceStore) cannot keep leases", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseSqlite_RegistersTheStoresSchema_OnTheSameFile()
    {
        var path = Path.Combine(_directory, "flux.db");
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(path);
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(6, await provider.GetRequiredService<IDeviceStoreSchema>().MigrateAsync(TestContext.Current.CancellationToken));
        Assert.Same(provider.GetRequiredService<IDeviceStore>(), provider.GetRequiredService<IDeviceStoreSchema>());
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task MaintenanceWindows_SurviveARestart_AndRunInTheNextProcess()
    {
        var cancel = TestContext.Current.CancellationToken;
        var path = Path.Combine(_directory, "flux.db");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero));
        Guid deviceId;
        Flux.Devices.Maintenance.MaintenanceWindow window;
        await using (var first = Provider(path, time))
        {
            deviceId = (await first.GetRequiredService<IDeviceRegistry>().WalkToAsync(SpecSamples.Bess(), DeviceState.Active)).Id;
            window = await first.GetRequiredService<Flux.Devices.Maintenance.IMaintenanceScheduler>().ScheduleAsync(deviceId, time.GetUtcNow().AddHours(1), TimeSpan.FromHours(2), "Firmware upgrade", "ops", cancel);
            ((IDisposable)first.GetRequiredService<IDeviceStore>()).Dispose();
        }

        time.Advance(TimeSpan.FromHours(1));
        await using var second = Provider(path, time);
        var scheduler = second.GetRequiredService<Flux.Devices.Maintenance.IMaintenanceScheduler>();

        Assert.Equal([window], await scheduler.ListAsync(deviceId, cancellationToken: cancel));
        Assert.Equal(1, await scheduler.RunDueAsync(cancel));
        Assert.Equal(DeviceState.Maintenance, (await second.GetRequiredService<IDeviceRegistry>().GetAsync(deviceId, cancel))!.State);
        ((IDisposable)second.GetRequiredService<IDeviceStore>()).Dispose();
    }

    private static ServiceProvider Provider(string path, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddFluxDevices().UseSqlite(path);
        return services.BuildServiceProvider();
    }
}
