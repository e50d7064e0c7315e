using Flux.Devices.Groups;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flux.Devices.Tests.Support;

/// <summary>A container with the registry on an in-memory store, a fake clock and a fake log, for one test.</summary>
public sealed class RegistryFixture : IDisposable
{
    private readonly ServiceProvider _services;

    public RegistryFixture(Action<IFluxDevicesBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Trace));
        var builder = services.AddFluxDevices();
        configure?.Invoke(builder);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero));

    public FakeLogCollector Logs { get; } = new();

    public IServiceProvider Services => _services;

    public IDeviceRegistry Registry => _services.GetRequiredService<IDeviceRegistry>();

    public IDeviceStore Store => _services.GetRequiredService<IDeviceStore>();

    public IDeviceGroupService Groups => _services.GetRequiredService<IDeviceGroupService>();

    public IMaintenanceService Maintenance => _services.GetRequiredService<IMaintenanceService>();

    public IDeviceTemplateService Templates => _services.GetRequiredService<IDeviceTemplateService>();

    public DeviceTemplateLoader TemplateLoader => _services.GetRequiredService<DeviceTemplateLoader>();

    /// <summary>Registers a device and walks it to Registered, Configured, Testing or Active.</summary>
    public Task<Device> WalkToAsync(NewDevice device, DeviceState state) => Registry.WalkToAsync(device, state);

    /// <summary>Takes a snapshot of everything the store holds, to show that a refused operation changed nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        var devices = await Store.ListAsync(DeviceFilter.All);
        var parts = new List<string>();
        foreach (var device in devices)
        {
            parts.Add(device.ToString());
            parts.AddRange((await Store.GetHistoryAsync(device.Id)).Select(h => h + string.Join(",", h.ChangedFields)));
            parts.AddRange((await Store.ListMembershipsAsync(device.Id)).Select(m => m.ToString()));
        }

        parts.AddRange((await Store.ListGroupsAsync()).Select(g => g.ToString()));
        return string.Join("\n", parts);
    }

    public void Dispose() => _services.Dispose();
}
