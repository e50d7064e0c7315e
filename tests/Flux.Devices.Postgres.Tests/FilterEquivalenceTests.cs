using Flux.Devices.Storage;
using Flux.Devices.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flux.Devices.Postgres.Tests;

/// <summary>
/// Hostile and awkward filter values give the same devices from PostgreSQL as from the in-memory store (the reference
/// semantics), and leave the tables as they were.
/// </summary>
public sealed class FilterEquivalenceTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly string[] Names =
    [
        "WLCE-BESS-01", "WLCE-BESS-02", "WLCE_BESS_03", "WLCE%BESS", "back\\slash", "quote'd", "Zähler-Ost", "电表-1", "🔋-pack",
        "'; DROP TABLE mg_device_registry; --",
    ];

    private readonly InMemoryDeviceStore _reference = new();
    private NpgsqlDataSource _dataSource = null!;
    private PostgresDeviceStore _store = null!;
    private string _schema = string.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _schema = await server.CreateSchemaAsync("filters");
        _dataSource = NpgsqlDataSource.Create(server.ConnectionString);
        _store = new PostgresDeviceStore(_dataSource, new PostgresStoreOptions { Schema = _schema });
        await _store.MigrateAsync(Cancel);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero));
        foreach (var store in new IDeviceStore[] { _reference, _store })
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time);
            services.AddFluxDevices().UseStore(store);
            await using var provider = services.BuildServiceProvider();
            var registry = provider.GetRequiredService<IDeviceRegistry>();
            for (var i = 0; i < Names.Length; i++)
            {
                var bess = SpecSamples.Bess(Names[i], site: i % 2 == 0 ? "WLCE" : "HMCE", modbusAddress: i + 1);
                var metadata = bess.Metadata
                    .With("manufacturer", i % 3 == 0 ? "PowerPack" : Names[i])
                    .With("serial", i % 2 == 0 ? "500" : $"SN-{i}")
                    .With("remote", i % 2 == 0)
                    .With("nested", DeviceMetadata.Empty.With("tag", Names[i]));
                await registry.RegisterAsync(bess with { Id = Guid.Parse($"00000000-0000-0000-0000-{i + 1:000000000000}"), Metadata = i == 4 ? metadata.With("capacity_kwh", 500.0) : metadata }, cancellationToken: Cancel);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await server.DropSchemaAsync(_schema);
    }

    [Theory]
    [InlineData("")]
    [InlineData("type=bess,site=WLCE")]
    [InlineData("site=WLCE|HMCE,active=true")]
    [InlineData("state=registered")]
    [InlineData("name=WLCE-*")]
    [InlineData("name=WLCE_*")]
    [InlineData("name=WLCE%*")]
    [InlineData("name=*%*")]
    [InlineData("name=*_*")]
    [InlineData("name=back\\slash")]
    [InlineData("name=back*")]
    [InlineData("name=*\\*")]
    [InlineData("name=quote'd")]
    [InlineData("name=Zähler-*")]
    [InlineData("name=电表-1|🔋-*")]
    [InlineData("name=\"'; DROP TABLE mg_device_registry; --\"")]
    [InlineData("site=\"'; DROP TABLE mg_device_registry; --\"")]
    [InlineData("metadata.manufacturer=PowerPack")]
    [InlineData("metadata.manufacturer=\"'; DROP TABLE mg_device_registry; --\"")]
    [InlineData("metadata.manufacturer=Zähler-Ost|电表-1")]
    [InlineData("metadata.serial=500")]
    [InlineData("metadata.capacity_kwh=500")]
    [InlineData("metadata.capacity_kwh=500.0|5e2")]
    [InlineData("metadata.remote=true")]
    [InlineData("metadata.remote=FALSE")]
    [InlineData("metadata.nested.tag=WLCE%BESS")]
    [InlineData("metadata.nested=WLCE%BESS")]
    [InlineData("metadata.missing=1")]
    [InlineData("metadata.modbus_address=1|3|5,site=WLCE")]
    public async Task ListAsync_GivesTheReferenceResult(string filterText)
    {
        var filter = DeviceFilter.Parse(filterText);

        var expected = (await _reference.ListAsync(filter, Cancel)).Select(d => d.Name).ToList();
        var actual = (await _store.ListAsync(filter, Cancel)).Select(d => d.Name).ToList();

        Assert.Equal(expected, actual);
        Assert.Equal(Names.Length, (await _store.ListAsync(DeviceFilter.All, Cancel)).Count); // the table is intact
    }
}
