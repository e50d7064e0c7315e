using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Cli.Tests;

/// <summary>A temporary folder with a SQLite store for the commands, and a way to prepare the store through the library.</summary>
public abstract class FluxTestBed : IAsyncLifetime
{
    private protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("flux-cli-").FullName;

    private protected string Store => Path.Combine(Directory, "flux.db");

    private protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    private protected virtual ValueTask DisposeCoreAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Works on the store through the library's registry, then releases the file for the commands.</summary>
    private protected async Task WithRegistryAsync(Func<IDeviceRegistry, Task> work)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(Store);
        await using var provider = services.BuildServiceProvider(); // disposing it releases the file
        await work(provider.GetRequiredService<IDeviceRegistry>());
    }

    /// <summary>Works on the store through the library's services (the registry, the maintenance schedule), then releases the file for the commands.</summary>
    private protected async Task WithServicesAsync(Func<IServiceProvider, Task> work)
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseSqlite(Store);
        await using var provider = services.BuildServiceProvider(); // disposing it releases the file
        await work(provider);
    }
}
