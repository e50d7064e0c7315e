using Flux.Devices.Discovery;
using Flux.Devices.TestUtilities;
using Flux.Devices.Tests.Support;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Tests.Discovery;

/// <summary>Auto-registration of found devices (no network: the devices are as a scan reports them).</summary>
public sealed class AutoRegistrationTests : IDisposable
{
    private static readonly AutoRegistrationOptions Wlce = new()
    {
        Site = "WLCE",
        Defaults = new Dictionary<string, DeviceMetadata>
        {
            ["bess"] = DeviceMetadata.Parse("""{"manufacturer": "unknown", "model": "unknown", "capacity_kwh": 210, "max_power_kw": 100, "efficiency": 0.92}"""),
        },
    };

    private readonly RegistryFixture _fixture = new(b => b.AddDeviceType(new DeviceTypeDefinition("modbus_device", _ => { })));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private IDeviceDiscoveryService Discovery => _fixture.Services.GetRequiredService<IDeviceDiscoveryService>();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task RegisterAsync_ABess_TakesTheSpecsNameAndWhatTheProbeLearnedOverTheDefaults()
    {
        var result = await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1, serial: "PP-0042"), Wlce, Cancel);

        Assert.Equal((DiscoveryOutcome.Registered, "WLCE-BESS-1"), (result.Outcome, result.Name));
        var device = result.Device!;
        Assert.Equal((DeviceTypes.Bess, "WLCE", DeviceState.Registered), (device.Type, device.Site, device.State));
        var metadata = device.Metadata;
        Assert.Equal(("127.0.0.2", 502, 1), (metadata.GetString("ip_address"), metadata["port"].GetInt32(), metadata["modbus_address"].GetInt32()));
        Assert.Equal(("PowerPack", "PP-500", "PP-0042", "2.1.3", "sunspec"), (metadata.GetString("manufacturer"), metadata.GetString("model"), metadata.GetString("serial_number"), metadata.GetString("firmware_version"), metadata.GetString("discovered_by")));
        Assert.Equal(500, metadata["capacity_kwh"].GetDouble()); // learned beats the default 210
        Assert.Equal(0.92, metadata["efficiency"].GetDouble()); // only the default knows it
        Assert.Equal(_fixture.Time.GetUtcNow(), DateTimeOffset.Parse(metadata.GetString("discovered_at")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RegisterAsync_TheSameEndpointAgain_RegistersNothing()
    {
        var first = await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1), Wlce, Cancel);

        var again = await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1), Wlce, Cancel);

        Assert.Equal((DiscoveryOutcome.AlreadyRegistered, first.Device!.Id), (again.Outcome, again.Device!.Id));
        Assert.Single(await _fixture.Registry.ListAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task RegisterAsync_NameTakenByOtherDevices_AddsTheHostThenThePortThenANumber()
    {
        var names = new List<string?>();
        foreach (var (host, port) in new[] { ("127.0.0.2", 502), ("127.0.0.3", 502), ("127.0.0.4", 1502), ("127.0.0.3", 502) })
        {
            names.Add((await Discovery.RegisterAsync(Bess(host, port, 1), Wlce, Cancel)).Name);
        }

        Assert.Equal(["WLCE-BESS-1", "WLCE-BESS-127.0.0.3-1", "WLCE-BESS-127.0.0.4-1502-1", "WLCE-BESS-127.0.0.3-1"], names);
        await _fixture.Registry.RegisterAsync(SpecSamples.Bess("WLCE-BESS-127.0.0.5-1"), cancellationToken: Cancel); // a hand-made device holds the next name
        Assert.Equal("WLCE-BESS-127.0.0.5-1-2", (await Discovery.RegisterAsync(Bess("127.0.0.5", 502, 1), Wlce, Cancel)).Name);
    }

    [Fact]
    public async Task RegisterAsync_SameSerialElsewhere_MovesTheOneDeviceThatCarriesIt()
    {
        var first = await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1, serial: "PP-0042"), Wlce, Cancel);

        var moved = await Discovery.RegisterAsync(Bess("127.0.0.9", 1502, 3, serial: "PP-0042"), Wlce, Cancel);

        Assert.Equal((DiscoveryOutcome.Moved, first.Device!.Id, "WLCE-BESS-1"), (moved.Outcome, moved.Device!.Id, moved.Name));
        Assert.Equal(("127.0.0.9", 1502, 3), (moved.Device.Metadata.GetString("ip_address"), moved.Device.Metadata["port"].GetInt32(), moved.Device.Metadata["modbus_address"].GetInt32()));
        Assert.Single(await _fixture.Registry.ListAsync(cancellationToken: Cancel));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("N/A")]
    [InlineData("FFFFFFFF")]
    [InlineData("00000000")]
    public async Task RegisterAsync_PlaceholderSerial_IdentifiesNothing(string serial)
    {
        await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1, serial), Wlce, Cancel);

        var other = await Discovery.RegisterAsync(Bess("127.0.0.3", 502, 1, serial), Wlce, Cancel);

        Assert.Equal(DiscoveryOutcome.Registered, other.Outcome);
        Assert.Equal(2, (await _fixture.Registry.ListAsync(cancellationToken: Cancel)).Count);
    }

    [Fact]
    public async Task RegisterAsync_SerialCarriedByTwoDevices_IdentifiesNeither()
    {
        await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1), Wlce, Cancel);
        await Discovery.RegisterAsync(Bess("127.0.0.3", 502, 1), Wlce, Cancel);
        foreach (var device in await _fixture.Registry.ListAsync(cancellationToken: Cancel))
        {
            await _fixture.Registry.UpdateAsync(device.Id, device.Version, new DeviceUpdate { Metadata = device.Metadata.With("serial_number", "PP-0042") }, cancellationToken: Cancel);
        }

        var third = await Discovery.RegisterAsync(Bess("127.0.0.4", 502, 1, serial: "PP-0042"), Wlce, Cancel);

        Assert.Equal(DiscoveryOutcome.Registered, third.Outcome);
    }

    [Fact]
    public async Task RegisterAsync_UnknownResponder_IsReportedUnlessATypeIsGivenForIt()
    {
        var unknown = new DiscoveredDevice { Endpoint = new ModbusEndpoint("127.0.0.5"), UnitId = 1, DiscoveredAt = _fixture.Time.GetUtcNow() };

        var reported = await Discovery.RegisterAsync(unknown, Wlce, Cancel);
        var registered = await Discovery.RegisterAsync(unknown, Wlce with { UnknownDeviceType = "modbus_device" }, Cancel);

        Assert.Equal((DiscoveryOutcome.Unknown, null), (reported.Outcome, reported.Name));
        Assert.Equal((DiscoveryOutcome.Registered, "WLCE-MODBUS_DEVICE-1"), (registered.Outcome, registered.Name));
    }

    [Fact]
    public async Task RegisterAsync_DryRun_SaysWhatItWouldDoAndWritesNothing()
    {
        var result = await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1), Wlce with { Register = false }, Cancel);

        Assert.Equal((DiscoveryOutcome.WouldRegister, "WLCE-BESS-1", (Device?)null), (result.Outcome, result.Name, result.Device));
        Assert.Empty(await _fixture.Registry.ListAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task DiscoverAsync_DryRun_PreviewsExactlyWhatRegisteringThenDoes()
    {
        // Two BESS with unit id 1 on two hosts (the second cannot take the spec's name), a meter whose type lacks its
        // defaults (refused), a third BESS with unit id 1 on another port.
        var meter = Bess("127.0.0.4", 502, 2) with { Identity = Bess("127.0.0.4", 502, 2).Identity! with { DeviceType = DeviceTypes.Meter, Details = DeviceMetadata.Empty } };
        DiscoveredDevice[] found = [Bess("127.0.0.2", 502, 1, "PP-1"), Bess("127.0.0.3", 502, 1, "PP-2"), meter, Bess("127.0.0.3", 1502, 1, "PP-3")];
        using var fixture = new RegistryFixture(b => b.Services.AddSingleton<IDeviceScanner>(new ListScanner(found)));
        var discovery = fixture.Services.GetRequiredService<IDeviceDiscoveryService>();
        var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.2-4") };

        var preview = await discovery.DiscoverAsync(scan, Wlce with { Register = false }, cancellationToken: Cancel).ToListAsync(Cancel);
        var nothing = await fixture.Registry.ListAsync(cancellationToken: Cancel);
        var registered = await discovery.DiscoverAsync(scan, Wlce, cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Empty(nothing);
        Assert.Equal(
            [
                (DiscoveryOutcome.WouldRegister, "WLCE-BESS-1"),
                (DiscoveryOutcome.WouldRegister, "WLCE-BESS-127.0.0.3-1"),
                (DiscoveryOutcome.Invalid, "WLCE-METER-2"),
                (DiscoveryOutcome.WouldRegister, "WLCE-BESS-127.0.0.3-1502-1"),
            ],
            preview.Select(r => (r.Outcome, r.Name)));
        Assert.Contains(preview[2].Errors, e => e.Field == "metadata.meter_type");
        Assert.Equal(
            preview.Select(r => (r.Outcome == DiscoveryOutcome.WouldRegister ? DiscoveryOutcome.Registered : r.Outcome, r.Name, Errors(r))),
            registered.Select(r => (r.Outcome, r.Name, Errors(r))));
        Assert.Equal(3, (await fixture.Registry.ListAsync(cancellationToken: Cancel)).Count);

        static string Errors(DiscoveryResult result) => string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Message}"));
    }

    [Fact]
    public async Task DiscoverAsync_DryRun_ASerialSeenTwice_PreviewsTheMoveRegisteringMakes()
    {
        // The same serial at two addresses in one run: registering registers the first, then moves it to the second.
        DiscoveredDevice[] found = [Bess("127.0.0.2", 502, 1, "PP-1"), Bess("127.0.0.3", 502, 4, "PP-1")];
        using var fixture = new RegistryFixture(b => b.Services.AddSingleton<IDeviceScanner>(new ListScanner(found)));
        var discovery = fixture.Services.GetRequiredService<IDeviceDiscoveryService>();
        var scan = new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.2-3") };

        var preview = await discovery.DiscoverAsync(scan, Wlce with { Register = false }, cancellationToken: Cancel).ToListAsync(Cancel);
        var registered = await discovery.DiscoverAsync(scan, Wlce, cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Equal([(DiscoveryOutcome.WouldRegister, "WLCE-BESS-1"), (DiscoveryOutcome.Moved, "WLCE-BESS-1")], preview.Select(r => (r.Outcome, r.Name)));
        Assert.Null(preview[1].Device); // not in the registry yet
        Assert.Equal([(DiscoveryOutcome.Registered, "WLCE-BESS-1"), (DiscoveryOutcome.Moved, "WLCE-BESS-1")], registered.Select(r => (r.Outcome, r.Name)));
    }

    [Fact]
    public async Task RegisterAsync_WithoutTheDefaults_ReportsEveryMissingFieldAndWritesNothing()
    {
        var result = await Discovery.RegisterAsync(Bess("127.0.0.2", 502, 1), new AutoRegistrationOptions { Site = "WLCE" }, Cancel);

        Assert.Equal(DiscoveryOutcome.Invalid, result.Outcome);
        Assert.Equal(["metadata.max_power_kw", "metadata.efficiency"], result.Errors.Select(e => e.Field));
        Assert.Empty(await _fixture.Registry.ListAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task Scanning_WithoutATransport_SaysWhatToRegister()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await Discovery.DiscoverAsync(new DeviceScanOptions { Hosts = HostSet.Parse("127.0.0.2") }, Wlce, cancellationToken: Cancel).ToListAsync(Cancel));

        Assert.Contains("UseModbusTcp()", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A scanner that finds the given devices, in order.</summary>
    private sealed class ListScanner(IReadOnlyList<DiscoveredDevice> devices) : IDeviceScanner
    {
        public async IAsyncEnumerable<DiscoveredDevice> ScanAsync(
            DeviceScanOptions options,
            IProgress<ScanProgress>? progress = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var device in devices)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return device;
            }
        }
    }

    private DiscoveredDevice Bess(string host, int port, byte unitId, string? serial = null) => new()
    {
        Endpoint = new ModbusEndpoint(host, port),
        UnitId = unitId,
        DiscoveredAt = _fixture.Time.GetUtcNow(),
        Identity = new DeviceProbeResult
        {
            Probe = "sunspec",
            DeviceType = DeviceTypes.Bess,
            Manufacturer = "PowerPack",
            Model = "PP-500",
            SerialNumber = serial,
            FirmwareVersion = "2.1.3",
            Details = DeviceMetadata.Empty.With("capacity_kwh", 500.0),
        },
    };
}
