using Flux.Devices.Specification.Tests;
using Flux.Devices.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Sqlite.Tests;

/// <summary>The embedded SQLite store against the store contract, each test on a file of its own.</summary>
public sealed class SqliteDeviceStoreTests : DeviceStoreContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flux-sqlite-").FullName;

    protected override ValueTask<IDeviceStore> CreateStoreAsync() =>
        ValueTask.FromResult<IDeviceStore>(new SqliteDeviceStore(Path.Combine(_directory, "flux.db")));

    protected override ValueTask DisposeStoreAsync(IDeviceStore store)
    {
        ((SqliteDeviceStore)store).ReleaseFile();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

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
        first.ReleaseFile();

        var second = new SqliteDeviceStore(path);

        Assert.Equal(device, await second.GetAsync(device.Id, TestContext.Current.CancellationToken));
        Assert.Single(await second.GetHistoryAsync(device.Id, TestContext.Current.CancellationToken));
        second.ReleaseFile();
    }
}
