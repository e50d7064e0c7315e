using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Flux.Devices.Discovery;
using Flux.Devices.Modbus.Server;
using Flux.Devices.Modbus.Simulation;
using Flux.Devices.Templates;
using Flux.Devices.TestUtilities;
using Flux.Devices.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Flux.Devices.Modbus.Tests.Discovery;

/// <summary>
/// Scans of 127.0.0.0/24 (every 127.x address is this machine) where a few simulated devices listen on one port on
/// their own addresses: a gateway with a BESS and a meter, a SunSpec battery, a SunSpec meter, a device that stalls and
/// one that answers every unit id with an exception.
/// </summary>
[Collection(nameof(TimingSensitive))]
public sealed class ScanTests : IAsyncLifetime
{
    private const string AcuvimTemplate = """
        device_template:
          type: meter
          manufacturer: Accuenergy
          register_map: acuvim2_standard
          default_config:
            polling_interval: 30s
        """;

    private readonly List<ModbusTcpServer> _servers = [];
    private ServiceProvider _services = null!;
    private int _port;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private IDeviceScanner Scanner => _services.GetRequiredService<IDeviceScanner>();

    private IDeviceDiscoveryService Discovery => _services.GetRequiredService<IDeviceDiscoveryService>();

    private IDeviceRegistry Registry => _services.GetRequiredService<IDeviceRegistry>();

    public async ValueTask InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp();
        _services = services.BuildServiceProvider();
        _port = await StartSiteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task ScanAsync_Slash24_FindsExactlyTheLiveDevicesWithTheirTypes_InAFewTimeouts()
    {
        var progress = new List<ScanProgress>();
        var clock = Stopwatch.StartNew();

        var found = await Scanner.ScanAsync(Options(), new SynchronousProgress(progress), Cancel).ToListAsync(Cancel);

        clock.Stop();
        var byAddress = found.ToDictionary(d => (d.Endpoint.Host, d.UnitId));
        Assert.Equal(
            [("127.0.0.2", 1), ("127.0.0.2", 2), ("127.0.0.3", 1), ("127.0.0.5", 1), ("127.0.0.6", 3)],
            byAddress.Keys.Select(k => (k.Host, (int)k.UnitId)).Order());
        Assert.Equal(("bess", "device_identification", "PowerPack", "PP-500"), Identity(byAddress[("127.0.0.2", 1)]));
        Assert.Equal(("meter", "device_identification", "Accuenergy", "Acuvim-II"), Identity(byAddress[("127.0.0.2", 2)]));
        var battery = byAddress[("127.0.0.3", 1)];
        Assert.Equal(("bess", "sunspec", "SunSpecSim", "SIM-BESS-1"), Identity(battery));
        Assert.Equal("SN0001", battery.Identity!.SerialNumber);
        Assert.Equal(500, battery.Identity.Details["capacity_kwh"].GetDouble());
        Assert.Equal(100, battery.Identity.Details["max_power_kw"].GetDouble());
        Assert.Equal(3, byAddress[("127.0.0.6", 3)].Identity!.Details["phases"].GetInt32());
        var refuser = byAddress[("127.0.0.5", 1)];
        Assert.Equal((true, ModbusExceptionCode.IllegalFunction, (DeviceProbeResult?)null), (refuser.IgnoresUnitId, refuser.PresenceException, refuser.Identity));
        Assert.Equal(new ScanProgress { HostsTotal = 254, HostsScanned = 254, HostsAnswering = 4, DevicesFound = 5, RequestsSent = progress[^1].RequestsSent }, progress[^1]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The scan took {clock.Elapsed}; serially it would take 254 hosts x 0.5 s.");
    }

    [Fact]
    public async Task ScanAsync_SendsOnlyReadsAndIdentification_NeverUnitZero()
    {
        await Scanner.ScanAsync(Options(), Cancel).ToListAsync(Cancel);

        var requests = _servers.SelectMany(s => s.RecordedRequests).ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Contains(r.FunctionCode, new byte[] { 3, 4, 43 }));
        Assert.All(requests, r => Assert.InRange(r.UnitId, 1, 247));
        Assert.All(requests.Where(r => r.FunctionCode is 3 or 4), r => Assert.InRange(r.Quantity, 1, ProbeContext.MaxQuantity));
    }

    [Fact]
    public async Task DiscoverAsync_Twice_RegistersEachDeviceOnce()
    {
        var registration = DiscoverySetup.Registration();

        var first = await Discovery.DiscoverAsync(Options(), registration, Cancel).ToListAsync(Cancel);
        var again = await Discovery.DiscoverAsync(Options(), registration with { SkipRegisteredUnits = false }, cancellationToken: Cancel).ToListAsync(Cancel);
        var asked = _servers.ToDictionary(s => s, s => s.RecordedRequests.Count);
        var skipping = await Discovery.DiscoverAsync(Options(), registration, cancellationToken: Cancel).ToListAsync(Cancel);

        // Hosts are scanned in parallel, so which BESS takes the spec's name is a race; the other gets its host and port.
        var names = first.Where(r => r.Outcome == DiscoveryOutcome.Registered).Select(r => r.Name!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["WLCE-BESS-1", "WLCE-METER-2", "WLCE-METER-3"], names.Where(n => !n.Contains("127.0.0.", StringComparison.Ordinal)));
        Assert.Matches($@"^WLCE-BESS-127\.0\.0\.[23]-{_port}-1$", Assert.Single(names, n => n.Contains("127.0.0.", StringComparison.Ordinal)));
        Assert.Equal(DiscoveryOutcome.Unknown, Assert.Single(first, r => r.Outcome != DiscoveryOutcome.Registered).Outcome);
        Assert.All(again.Where(r => r.Outcome != DiscoveryOutcome.Unknown), r => Assert.Equal(DiscoveryOutcome.AlreadyRegistered, r.Outcome));
        Assert.Equal(4, again.Count(r => r.Outcome == DiscoveryOutcome.AlreadyRegistered));
        Assert.Equal("127.0.0.5", Assert.Single(skipping).Discovered.Endpoint.Host);
        var askedWhileSkipping = _servers.SelectMany(s => s.RecordedRequests.Skip(asked[s]).Select(r => (s.LocalEndPoint.Address.ToString(), (int)r.UnitId))).ToHashSet();
        Assert.Empty(askedWhileSkipping.Intersect([("127.0.0.2", 1), ("127.0.0.2", 2), ("127.0.0.3", 1), ("127.0.0.6", 3)])); // registered units are not asked
        Assert.Contains(("127.0.0.2", 3), askedWhileSkipping); // the gateway's other unit ids are
        var devices = await Registry.ListAsync(cancellationToken: Cancel);
        Assert.Equal(4, devices.Count);
        var bess = devices.Single(d => d.Metadata.GetString("ip_address") == "127.0.0.3");
        Assert.Equal(("127.0.0.3", _port, 1, "SN0001", "sunspec"), (bess.Metadata.GetString("ip_address"), bess.Metadata["port"].GetInt32(), bess.Metadata["modbus_address"].GetInt32(), bess.Metadata.GetString("serial_number"), bess.Metadata.GetString("discovered_by")));
        Assert.Equal(500, BessMetadata.From(bess.Metadata).CapacityKwh); // learned, not the default
        Assert.Equal(40000, bess.Metadata["sunspec_base"].GetInt32());
        Assert.Equal("""[{"id":1,"address":40002,"length":66},{"id":802,"address":40070,"length":62}]""", bess.Metadata["sunspec_models"].GetRawText());
    }

    [Fact]
    public async Task DiscoverAsync_AUnitRegisteredBehindAGateway_FindsTheUnitsNextToItWithoutAskingIt()
    {
        var gateway = _servers.Single(s => s.LocalEndPoint.Address.ToString() == "127.0.0.2"); // unit 1 a BESS, unit 2 a meter
        var options = Options() with { Hosts = HostSet.Parse("127.0.0.2") };
        var registration = DiscoverySetup.Registration();
        var first = await Discovery.DiscoverAsync(options with { UnitIds = [1] }, registration, cancellationToken: Cancel).ToListAsync(Cancel);
        Assert.Equal((1, DiscoveryOutcome.Registered), (first.Single().Discovered.UnitId, first.Single().Outcome));
        var asked = gateway.RecordedRequests.Count;
        var progress = new List<ScanProgress>();

        var preview = await Discovery.DiscoverAsync(options, registration with { Register = false }, new SynchronousProgress(progress), Cancel).ToListAsync(Cancel);
        var registered = await Discovery.DiscoverAsync(options, registration, cancellationToken: Cancel).ToListAsync(Cancel);
        var skipping = gateway.RecordedRequests.Skip(asked).ToList();
        var rescan = await Discovery.DiscoverAsync(options, registration with { SkipRegisteredUnits = false }, cancellationToken: Cancel).ToListAsync(Cancel);

        var meter = Assert.Single(preview);
        Assert.Equal((2, DiscoveryOutcome.WouldRegister, "WLCE-METER-2"), (meter.Discovered.UnitId, meter.Outcome, meter.Name));
        Assert.Equal((2, DiscoveryOutcome.Registered), (Assert.Single(registered).Discovered.UnitId, registered[0].Outcome));
        Assert.Contains(skipping, r => r.UnitId == 2);
        Assert.DoesNotContain(skipping, r => r.UnitId == 1);
        Assert.Equal(1, progress[^1].UnitsExcluded); // unit 1, registered, not asked: 1 of the 9 unit ids
        Assert.Equal(
            [(1, DiscoveryOutcome.AlreadyRegistered), (2, DiscoveryOutcome.AlreadyRegistered)],
            rescan.Select(r => ((int)r.Discovered.UnitId, r.Outcome)).Order());
        Assert.Contains(gateway.RecordedRequests.Skip(asked + skipping.Count), r => r.UnitId == 1); // asked again only when told to
    }

    [Fact]
    public async Task DiscoverAsync_ARegisteredDeviceThatIgnoresTheUnitId_LeavesItsWholeEndpointOut()
    {
        var refuser = _servers.Single(s => s.LocalEndPoint.Address.ToString() == "127.0.0.5"); // answers every unit id alike
        var device = SpecSamples.Bess("WLCE-BESS-5");
        await Registry.RegisterAsync(device with { Metadata = device.Metadata!.With("ip_address", "127.0.0.5").With("port", (long)_port).With("ignores_unit_id", true) }, cancellationToken: Cancel);
        var asked = refuser.RecordedRequests.Count;
        var progress = new List<ScanProgress>();

        var results = await Discovery.DiscoverAsync(Options() with { Hosts = HostSet.Parse("127.0.0.5") }, DiscoverySetup.Registration(), new SynchronousProgress(progress), Cancel).ToListAsync(Cancel);

        Assert.Empty(results); // asking unit ids 2 to 9 would only find the same device again
        Assert.Equal(asked, refuser.RecordedRequests.Count);
        Assert.Equal(9, progress[^1].UnitsExcluded);
    }

    [Fact]
    public async Task DiscoverAsync_SameSerialAtANewAddress_MovesTheDeviceInsteadOfRegisteringATwin()
    {
        var registration = DiscoverySetup.Registration();
        await Discovery.DiscoverAsync(Options(), registration, cancellationToken: Cancel).ToListAsync(Cancel);
        var moved = await StartAsync(IPAddress.Parse("127.0.0.7"), _port, s => s.AddUnit(4, new SunSpecSimulator(serialNumber: "SN0001")));
        Assert.NotNull(moved);

        var results = await Discovery.DiscoverAsync(Options() with { Hosts = HostSet.Parse("127.0.0.7") }, registration, cancellationToken: Cancel).ToListAsync(Cancel);

        var result = Assert.Single(results);
        var only = Assert.Single(await Registry.ListAsync(DeviceFilter.Parse("metadata.serial_number=SN0001"), Cancel));
        Assert.Equal((DiscoveryOutcome.Moved, only.Id), (result.Outcome, result.Device!.Id));
        Assert.Equal(("127.0.0.7", 4), (result.Device!.Metadata.GetString("ip_address"), result.Device.Metadata["modbus_address"].GetInt32()));
        Assert.Equal(4, (await Registry.ListAsync(cancellationToken: Cancel)).Count);
    }

    [Fact]
    public async Task DiscoverAsync_WithoutTheDefaultsATypeNeeds_ReportsTheMissingFieldsAndWritesNothing()
    {
        var results = await Discovery.DiscoverAsync(
            Options() with { Hosts = HostSet.Parse("127.0.0.2") },
            new AutoRegistrationOptions { Site = "WLCE" },
            cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.All(results, r => Assert.Equal(DiscoveryOutcome.Invalid, r.Outcome));
        Assert.Contains(results[0].Errors, e => e.Field == "metadata.efficiency");
        Assert.Empty(await Registry.ListAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task ScanAsync_Cancelled_EndsPromptlyWithWhatWasFound()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var found = new List<DiscoveredDevice>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var device in Scanner.ScanAsync(Options() with { MaxConcurrentHosts = 1 }, cancellationToken: stop.Token))
            {
                found.Add(device);
                await stop.CancelAsync();
            }
        });

        Assert.InRange(found.Count, 1, 2); // the first host's devices, found together; the rest of the /24 was never scanned
        Assert.All(found, d => Assert.Equal("127.0.0.2", d.Endpoint.Host));
    }

    [Theory]
    [InlineData(10, "bess")]
    [InlineData(12, null)]
    public async Task ScanAsync_DeviceWithoutIdentification_IsRecognisedByItsTemplatesFingerprint(int blocks, string? expectedType)
    {
        var quiet = new PowerPackBessSimulator();
        quiet.Identification.Clear(); // no FC43 objects, no SunSpec: only the registers tell
        Assert.NotNull(await StartAsync(IPAddress.Parse("127.0.0.8"), _port, s => s.AddUnit(1, quiet)));
        var template = _services.GetRequiredService<DeviceTemplateLoader>().Load(
            SpecSamples.PowerPackTemplateAsPrinted + $"\nidentify:\navailable_blocks: {blocks}\n", "powerpack_bess.yaml");

        var found = Assert.Single(await Scanner.ScanAsync(Options() with { Hosts = HostSet.Parse("127.0.0.8"), Templates = [template] }, cancellationToken: Cancel).ToListAsync(Cancel));

        Assert.Equal(expectedType, found.Identity?.DeviceType);
        if (expectedType is not null)
        {
            Assert.Equal(("fingerprint", "PowerPack", "powerpack_bess"), (found.Identity!.Probe, found.Identity.Manufacturer, found.Identity.Details.GetString("template")));
        }
    }

    [Fact]
    public async Task ScanAsync_AProbeThatThrows_IsPassedOverAndTheScanGoesOn()
    {
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp().AddDeviceTypeProbe<ThrowingProbe>();
        await using var provider = services.BuildServiceProvider();

        var found = await provider.GetRequiredService<IDeviceScanner>().ScanAsync(Options() with { Hosts = HostSet.Parse("127.0.0.2-127.0.0.5") }, cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Equal(4, found.Count); // the refusing host reached the throwing probe, and was still reported
        Assert.Null(Assert.Single(found, d => d.Endpoint.Host == "127.0.0.5").Identity);
    }

    [Fact]
    public async Task ScanAsync_OneVendorWithTwoTemplates_LetsTheFingerprintDecide()
    {
        var loader = _services.GetRequiredService<DeviceTemplateLoader>();
        var bess = loader.Load(SpecSamples.PowerPackTemplateAsPrinted + "\nidentify:\navailable_blocks: 10\n", "powerpack_bess.yaml");
        var meter = loader.Load("device_template:\n  type: meter\n  manufacturer: PowerPack\n  register_map: acuvim2_standard\n", "powerpack_meter.yaml");

        var found = await Scanner.ScanAsync(Options() with { Hosts = HostSet.Parse("127.0.0.2"), UnitIds = [1], Templates = [meter, bess] }, cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Equal(("bess", "fingerprint"), (Assert.Single(found).Identity!.DeviceType, found[0].Identity!.Probe));
    }

    [Fact]
    public async Task ScanAsync_HostsAtOnce_StayWithinTheLimit_AndExcludedHostsAreNeverContacted()
    {
        var counting = new CountingFactory(_services.GetRequiredService<IModbusTransportFactory>());
        var services = new ServiceCollection();
        services.AddFluxDevices().UseModbusTcp();
        services.AddSingleton<IModbusTransportFactory>(counting);
        await using var provider = services.BuildServiceProvider();
        var options = Options() with { MaxConcurrentHosts = 3, Exclude = HostSet.Parse("127.0.0.2-127.0.0.3, 127.0.0.200-127.0.0.254") };

        var found = await provider.GetRequiredService<IDeviceScanner>().ScanAsync(options, cancellationToken: Cancel).ToListAsync(Cancel);

        Assert.Equal(["127.0.0.5", "127.0.0.6"], found.Select(d => d.Endpoint.Host).Order(StringComparer.Ordinal));
        Assert.InRange(counting.MostAtOnce, 1, 3);
        Assert.Equal(254 - 2 - 55, counting.Created);
        Assert.Empty(_servers.Where(s => s.LocalEndPoint.Address.ToString() is "127.0.0.2" or "127.0.0.3").SelectMany(s => s.RecordedRequests));
    }

    [Theory]
    [InlineData(nameof(DeviceScanOptions.UnitIds))]
    [InlineData(nameof(DeviceScanOptions.Ports))]
    [InlineData(nameof(DeviceScanOptions.ConnectTimeout))]
    [InlineData(nameof(DeviceScanOptions.MaxRequestsPerSecondPerHost))]
    public async Task ScanAsync_OptionOutOfRange_IsRefusedByName(string option)
    {
        var options = option switch
        {
            nameof(DeviceScanOptions.UnitIds) => Options() with { UnitIds = [0, 1] },
            nameof(DeviceScanOptions.Ports) => Options() with { Ports = [] },
            nameof(DeviceScanOptions.ConnectTimeout) => Options() with { ConnectTimeout = TimeSpan.Zero },
            _ => Options() with { MaxRequestsPerSecondPerHost = 0 },
        };

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Scanner.ScanAsync(options, cancellationToken: Cancel).ToListAsync(Cancel));

        Assert.Equal(option, error.ParamName);
    }

    private static (string?, string, string?, string?) Identity(DiscoveredDevice device) =>
        (device.Identity!.DeviceType, device.Identity.Probe, device.Identity.Manufacturer, device.Identity.Model);

    private DeviceScanOptions Options()
    {
        var loader = _services.GetRequiredService<DeviceTemplateLoader>();
        return new DeviceScanOptions
        {
            Hosts = HostSet.Parse("127.0.0.0/24"),
            Ports = [_port],
            MaxRequestsPerSecondPerHost = 1000,
            Templates = [loader.Load(SpecSamples.PowerPackTemplateAsPrinted), loader.Load(AcuvimTemplate)],
        };
    }

    /// <summary>Starts the site on one port free on every address it uses (below the ephemeral range, so that no port-0 listener elsewhere can take it).</summary>
    private async Task<int> StartSiteAsync()
    {
        var random = new Random();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = random.Next(20_000, 30_000);
            var gateway = await StartAsync(IPAddress.Parse("127.0.0.2"), port, s => s.AddUnit(1, new PowerPackBessSimulator()).AddUnit(2, new AcuvimMeterSimulator()));
            if (gateway is null)
            {
                continue;
            }

            var stalled = new ModbusUnit();
            stalled.Faults.Stall = true;
            var refusing = new ModbusUnit();
            refusing.Faults.ExceptionCode = ModbusExceptionCode.IllegalFunction;
            if (await StartAsync(IPAddress.Parse("127.0.0.3"), port, s => s.AddUnit(1, new SunSpecSimulator())) is not null
                && await StartAsync(IPAddress.Parse("127.0.0.4"), port, _ => { }, new ModbusTcpServerOptions { AnswerEveryUnitId = stalled, RecordRequests = true }) is not null
                && await StartAsync(IPAddress.Parse("127.0.0.5"), port, _ => { }, new ModbusTcpServerOptions { AnswerEveryUnitId = refusing, RecordRequests = true }) is not null
                && await StartAsync(IPAddress.Parse("127.0.0.6"), port, s => s.AddUnit(3, new SunSpecSimulator(SunSpecDeviceKind.Meter, model: "SIM-METER-1", serialNumber: "SN0002"))) is not null)
            {
                return port;
            }

            foreach (var server in _servers)
            {
                await server.DisposeAsync();
            }

            _servers.Clear();
        }

        throw new InvalidOperationException("No port from 20000 to 29999 was free on 127.0.0.2-6.");
    }

    private async Task<ModbusTcpServer?> StartAsync(IPAddress address, int port, Action<ModbusTcpServer> units, ModbusTcpServerOptions? options = null)
    {
        var server = new ModbusTcpServer(options ?? new ModbusTcpServerOptions { RecordRequests = true });
        units(server);
        try
        {
            await server.StartAsync(new IPEndPoint(address, port), Cancel);
        }
        catch (SocketException)
        {
            await server.DisposeAsync();
            return null;
        }

        _servers.Add(server);
        return server;
    }

    /// <summary>A probe with a bug: it throws what no Modbus failure would.</summary>
    private sealed class ThrowingProbe : IDeviceTypeProbe
    {
        public string Name => "throwing";

        public ValueTask<DeviceProbeResult?> ProbeAsync(ProbeContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a bug in a host's probe");
    }

    /// <summary>Counts scan transports alive at once (one per host being scanned) around the real factory.</summary>
    private sealed class CountingFactory(IModbusTransportFactory inner) : IModbusTransportFactory
    {
        private int _alive;
        private int _most;
        private int _created;

        public int MostAtOnce => Volatile.Read(ref _most);

        public int Created => Volatile.Read(ref _created);

        public IModbusTransport CreateScanTransport(TimeSpan connectTimeout, TimeSpan requestTimeout)
        {
            Interlocked.Increment(ref _created);
            var alive = Interlocked.Increment(ref _alive);
            for (var most = Volatile.Read(ref _most); alive > most && Interlocked.CompareExchange(ref _most, alive, most) != most; most = Volatile.Read(ref _most))
            {
            }

            return new Counted(inner.CreateScanTransport(connectTimeout, requestTimeout), this);
        }

        public IModbusTransport CreatePollingTransport() => inner.CreatePollingTransport();

        private sealed class Counted(IModbusTransport transport, CountingFactory owner) : IAsyncDisposable, IModbusTransport
        {
            public async ValueTask DisposeAsync()
            {
                await ((IAsyncDisposable)transport).DisposeAsync();
                Interlocked.Decrement(ref owner._alive);
            }

            public ValueTask ReadCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) => transport.ReadCoilsAsync(endpoint, unitId, startAddress, destination, cancellationToken);

            public ValueTask ReadDiscreteInputsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<bool> destination, CancellationToken cancellationToken = default) => transport.ReadDiscreteInputsAsync(endpoint, unitId, startAddress, destination, cancellationToken);

            public ValueTask ReadHoldingRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) => transport.ReadHoldingRegistersAsync(endpoint, unitId, startAddress, destination, cancellationToken);

            public ValueTask ReadInputRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, Memory<ushort> destination, CancellationToken cancellationToken = default) => transport.ReadInputRegistersAsync(endpoint, unitId, startAddress, destination, cancellationToken);

            public ValueTask WriteSingleCoilAsync(ModbusEndpoint endpoint, byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) => transport.WriteSingleCoilAsync(endpoint, unitId, address, value, cancellationToken);

            public ValueTask WriteSingleRegisterAsync(ModbusEndpoint endpoint, byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default) => transport.WriteSingleRegisterAsync(endpoint, unitId, address, value, cancellationToken);

            public ValueTask WriteMultipleCoilsAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) => transport.WriteMultipleCoilsAsync(endpoint, unitId, startAddress, values, cancellationToken);

            public ValueTask WriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort startAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) => transport.WriteMultipleRegistersAsync(endpoint, unitId, startAddress, values, cancellationToken);

            public ValueTask ReadWriteMultipleRegistersAsync(ModbusEndpoint endpoint, byte unitId, ushort readStartAddress, Memory<ushort> readDestination, ushort writeStartAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default) =>
                transport.ReadWriteMultipleRegistersAsync(endpoint, unitId, readStartAddress, readDestination, writeStartAddress, values, cancellationToken);

            public ValueTask<DeviceIdentification> ReadDeviceIdentificationAsync(ModbusEndpoint endpoint, byte unitId, DeviceIdentificationCategory category = DeviceIdentificationCategory.Basic, CancellationToken cancellationToken = default) =>
                transport.ReadDeviceIdentificationAsync(endpoint, unitId, category, cancellationToken);
        }
    }

    /// <summary>Records progress as it is reported (<see cref="Progress{T}"/> would post it later, to the thread pool).</summary>
    private sealed class SynchronousProgress(List<ScanProgress> reports) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
