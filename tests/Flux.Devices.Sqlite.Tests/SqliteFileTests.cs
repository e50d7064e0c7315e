using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

/// <summary>What only a file gives: the registry outlives the process that wrote it.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ASecondStoreOnTheSameFile_ReadsWhatTheFirstWrote()
    {
        var path = Path.Combine(_directory, "site.db");
        var first = new SqliteDeviceStore(path);
        var services = new ServiceCollection();
        services.AddFluxDevices().UseStore(first);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IDeviceRegistry>();
        var device = await registry.RegisterAsync(SpecSamples.Bess(), cancellationToken: TestContext.Current.CancellationToken);
        first.Dispose();

        var second = new SqliteDeviceStore(path);

        Assert.Equal(device, await second.GetAsync(device.Id, TestContext.Current.CancellationToken));
        Assert.Single(await second.GetHistoryAsync(device.Id, TestContext.Current.CancellationToken));
        second.Dispose();
    }
}
