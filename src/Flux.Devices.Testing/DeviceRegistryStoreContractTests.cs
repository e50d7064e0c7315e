using Flux.Devices.Control;
using Flux.Devices.Lifecycle;
using Flux.Devices.Maintenance;
using Flux.Devices.Storage;
using Flux.Devices.Testing.Internal;

namespace Flux.Devices.Testing;

/// <summary>
/// The contract of <see cref="IDeviceRegistryStore"/>: devices and their history. The same inputs give the same
/// results and the same errors in every store. Derive a test class, return a fresh empty store from
/// <c>CreateStoreAsync</c>, and every test here runs against it (directly, and through the registry on top of it).
/// </summary>
public abstract partial class DeviceRegistryStoreContractTests : StoreContractTests<IDeviceRegistryStore>
{
    // ---- Devices, directly on the store ---------------------------------------------------------------

    /// <summary>The contract: <c>AddAsync</c>, new device: reads back equal by id and name.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddAsync_NewDevice_ReadsBackEqualByIdAndName()
    {
        var (device, entry) = NewStored("WLCE-BESS-01", DeviceMetadata.Parse(ContractSamples.BessMetadataJson).With("ip_address", "127.0.0.10"));

        await Store.AddAsync(device, entry);

        Assert.Equal(device, await Store.GetAsync(device.Id));
        Assert.Equal(device, await Store.GetByNameAsync("WLCE-BESS-01"));
        Assert.Equal("127.0.0.10", (await Store.GetAsync(device.Id))!.Metadata.GetString("ip_address"));
        Assert.Equal([entry], await Store.GetHistoryAsync(device.Id));
    }

    /// <summary>The contract: <c>GetAsync</c>, unknown: returns null.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task GetAsync_Unknown_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Guid.NewGuid()));
        Assert.Null(await Store.GetByNameAsync("nobody"));
        Assert.Empty(await Store.GetHistoryAsync(Guid.NewGuid()));
    }

    /// <summary>The contract: <c>AddAsync</c>, duplicate id: throws already exists and keeps the first.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddAsync_DuplicateId_ThrowsAlreadyExistsAndKeepsTheFirst()
    {
        var (first, entry) = NewStored("A");
        await Store.AddAsync(first, entry);
        var (second, secondEntry) = NewStored("B", id: first.Id);

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => Store.AddAsync(second, secondEntry).AsTask());

        Assert.Equal("id", error.Field);
        Assert.Equal(first, await Store.GetAsync(first.Id));
        Assert.Null(await Store.GetByNameAsync("B"));
        Assert.Single(await Store.GetHistoryAsync(first.Id));
    }

    /// <summary>The contract: <c>AddAsync</c>, duplicate name: throws already exists and writes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddAsync_DuplicateName_ThrowsAlreadyExistsAndWritesNothing()
    {
        var (first, entry) = NewStored("WLCE-BESS-01");
        await Store.AddAsync(first, entry);
        var (second, secondEntry) = NewStored("WLCE-BESS-01");

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => Store.AddAsync(second, secondEntry).AsTask());

        Assert.Equal("name", error.Field);
        Assert.Null(await Store.GetAsync(second.Id));
        Assert.Empty(await Store.GetHistoryAsync(second.Id));
    }

    /// <summary>The contract: <c>UpdateAsync</c>, next version: replaces and appends history.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateAsync_NextVersion_ReplacesAndAppendsHistory()
    {
        var (device, entry) = NewStored("A");
        await Store.AddAsync(device, entry);
        Time.Advance(TimeSpan.FromSeconds(1));
        var next = device with { Site = "HMCE", Version = 2, UpdatedAt = Time.GetUtcNow() };
        var nextEntry = UpdateEntry(next, "site");

        await Store.UpdateAsync(next, nextEntry);

        Assert.Equal(next, await Store.GetAsync(device.Id));
        Assert.Equal([entry, nextEntry], await Store.GetHistoryAsync(device.Id));
    }

    /// <summary>
    /// The contract: a control write's entries (<see cref="DeviceChangeKind.Controlled"/>, each outcome with its point,
    /// value, registers and detail) read back equal, written one by one and in a batch.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateAsync_ControlEntries_ReadBackEqual()
    {
        var (device, entry) = NewStored("A");
        await Store.AddAsync(device, entry);
        var expected = new List<DeviceHistoryEntry> { entry };
        foreach (var (outcome, registers, detail) in new (ControlOutcome, ushort[], string?)[]
        {
            (ControlOutcome.Refused, [], "state: the device is Maintenance; control is disabled unless it is Active"),
            (ControlOutcome.Accepted, [50], null),
            (ControlOutcome.Confirmed, [0xFFCE], null),
            (ControlOutcome.Unknown, [1, 2, 3, 4], "the write was sent but not confirmed: \"quoted\", ünïcode"),
            (ControlOutcome.Failed, [7], "Modbus exception 03"),
        })
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            device = device with { Version = device.Version + 1, UpdatedAt = Time.GetUtcNow() };
            var control = ControlEntry(device, outcome, registers, detail);
            await Store.UpdateAsync(device, control);
            expected.Add(control);
        }

        var batched = device with { Version = device.Version + 1, UpdatedAt = Time.GetUtcNow() };
        var batchedEntry = ControlEntry(batched, ControlOutcome.Confirmed, [0x1234, 0x5678], null) with { Control = ControlEntry(batched, ControlOutcome.Confirmed, [0x1234, 0x5678], null).Control! with { Value = -12.5, FunctionCode = 16 } };
        Assert.Equal([DeviceWriteOutcome.Written], await Store.UpdateManyAsync([new DeviceWrite(batched, batchedEntry)]));
        expected.Add(batchedEntry);

        Assert.Equal(expected, await Store.GetHistoryAsync(device.Id));
        Assert.Equal(batched, await Store.GetAsync(device.Id));
    }

    private protected DeviceHistoryEntry ControlEntry(Device device, ControlOutcome outcome, ushort[] registers, string? detail) => new()
    {
        DeviceId = device.Id,
        Version = device.Version,
        Kind = DeviceChangeKind.Controlled,
        FromState = device.State,
        ToState = device.State,
        Reason = "peak shaving",
        Actor = "operator",
        Timestamp = Time.GetUtcNow(),
        Control = new DeviceControlRecord
        {
            Point = "target_power",
            Value = 50.25,
            Outcome = outcome,
            Address = registers.Length == 0 ? null : 2008,
            FunctionCode = registers.Length == 0 ? null : 6,
            Registers = registers,
            Detail = detail,
        },
    };

    /// <summary>The contract: <c>UpdateAsync</c>, stale version: throws concurrency and writes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateAsync_StaleVersion_ThrowsConcurrencyAndWritesNothing()
    {
        var (device, entry) = NewStored("A");
        await Store.AddAsync(device, entry);
        var v2 = device with { Site = "HMCE", Version = 2 };
        await Store.UpdateAsync(v2, UpdateEntry(v2, "site"));
        var stale = device with { Site = "LFCE", Version = 2 };

        var error = await Assert.ThrowsAsync<DeviceConcurrencyException>(() => Store.UpdateAsync(stale, UpdateEntry(stale, "site")).AsTask());

        Assert.Equal(device.Id, error.DeviceId);
        Assert.Equal(1, error.ExpectedVersion);
        Assert.Equal(2, error.ActualVersion);
        Assert.Equal(v2, await Store.GetAsync(device.Id));
        Assert.Equal(2, (await Store.GetHistoryAsync(device.Id)).Count);
    }

    /// <summary>The contract: <c>UpdateAsync</c>, unknown device: throws not found.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateAsync_UnknownDevice_ThrowsNotFound()
    {
        var (device, _) = NewStored("A");
        var v2 = device with { Version = 2 };

        var error = await Assert.ThrowsAsync<DeviceNotFoundException>(() => Store.UpdateAsync(v2, UpdateEntry(v2, "site")).AsTask());

        Assert.Equal(device.Id, error.DeviceId);
    }

    /// <summary>The contract: <c>UpdateAsync</c>, rename to taken name: throws already exists and writes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateAsync_RenameToTakenName_ThrowsAlreadyExistsAndWritesNothing()
    {
        var (a, aEntry) = NewStored("A");
        var (b, bEntry) = NewStored("B");
        await Store.AddAsync(a, aEntry);
        await Store.AddAsync(b, bEntry);
        var renamed = b with { Name = "A", Version = 2 };

        var error = await Assert.ThrowsAsync<AlreadyExistsException>(() => Store.UpdateAsync(renamed, UpdateEntry(renamed, "name")).AsTask());

        Assert.Equal("name", error.Field);
        Assert.Equal(b, await Store.GetAsync(b.Id));
        Assert.Equal(a, await Store.GetByNameAsync("A"));
        Assert.Equal([bEntry], await Store.GetHistoryAsync(b.Id));
    }

    /// <summary>The contract: <c>UpdateAsync</c>, rename: frees the old name.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateAsync_Rename_FreesTheOldName()
    {
        var (a, aEntry) = NewStored("A");
        await Store.AddAsync(a, aEntry);
        var renamed = a with { Name = "A2", Version = 2 };

        await Store.UpdateAsync(renamed, UpdateEntry(renamed, "name"));
        var (other, otherEntry) = NewStored("A");
        await Store.AddAsync(other, otherEntry);

        Assert.Equal(renamed, await Store.GetByNameAsync("A2"));
        Assert.Equal(other, await Store.GetByNameAsync("A"));
    }

    /// <summary>The contract: <c>UpdateManyAsync</c>, all current: writes every device with its history.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateManyAsync_AllCurrent_WritesEveryDeviceWithItsHistory()
    {
        var stored = new List<(Device Device, DeviceHistoryEntry Entry)>();
        foreach (var name in new[] { "A", "B", "C" })
        {
            var pair = NewStored(name);
            await Store.AddAsync(pair.Device, pair.Entry);
            stored.Add(pair);
        }

        var writes = stored.Select(s => s.Device with { Metadata = s.Device.Metadata.With("tag", s.Device.Name), Version = 2 })
            .Select(d => new DeviceWrite(d, UpdateEntry(d, "metadata.tag")))
            .ToList();

        var outcomes = await Store.UpdateManyAsync(writes);

        Assert.Equal([DeviceWriteOutcome.Written, DeviceWriteOutcome.Written, DeviceWriteOutcome.Written], outcomes);
        foreach (var (write, (device, entry)) in writes.Zip(stored))
        {
            Assert.Equal(write.Device, await Store.GetAsync(device.Id));
            Assert.Equal([entry, write.Entry], await Store.GetHistoryAsync(device.Id));
        }
    }

    /// <summary>The contract: <c>UpdateManyAsync</c>, one stale one missing: reports them and writes the rest.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateManyAsync_OneStaleOneMissing_ReportsThemAndWritesTheRest()
    {
        var (a, aEntry) = NewStored("A");
        var (b, bEntry) = NewStored("B");
        var (missing, _) = NewStored("Z");
        await Store.AddAsync(a, aEntry);
        await Store.AddAsync(b, bEntry);
        var bEdited = b with { Site = "HMCE", Version = 2 };
        await Store.UpdateAsync(bEdited, UpdateEntry(bEdited, "site"));
        var aNext = a with { Site = "LFCE", Version = 2 };
        var bStale = b with { Site = "LFCE", Version = 2 };
        var missingNext = missing with { Version = 2 };

        var outcomes = await Store.UpdateManyAsync([
            new DeviceWrite(aNext, UpdateEntry(aNext, "site")),
            new DeviceWrite(bStale, UpdateEntry(bStale, "site")),
            new DeviceWrite(missingNext, UpdateEntry(missingNext, "site")),
        ]);

        Assert.Equal([DeviceWriteOutcome.Written, DeviceWriteOutcome.Conflict, DeviceWriteOutcome.NotFound], outcomes);
        Assert.Equal(aNext, await Store.GetAsync(a.Id));
        Assert.Equal(bEdited, await Store.GetAsync(b.Id));
        Assert.Equal(2, (await Store.GetHistoryAsync(b.Id)).Count);
        Assert.Null(await Store.GetAsync(missing.Id));
        Assert.Empty(await Store.GetHistoryAsync(missing.Id));
    }

    /// <summary>The contract: <c>UpdateManyAsync</c>, a rename: is refused and nothing is written.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateManyAsync_ARename_IsRefusedAndNothingIsWritten()
    {
        var (a, aEntry) = NewStored("A");
        var (b, bEntry) = NewStored("B");
        await Store.AddAsync(a, aEntry);
        await Store.AddAsync(b, bEntry);
        var aNext = a with { Site = "LFCE", Version = 2 };
        var bRenamed = b with { Name = "B2", Version = 2 };

        await Assert.ThrowsAsync<ArgumentException>(() => Store.UpdateManyAsync([
            new DeviceWrite(aNext, UpdateEntry(aNext, "site")),
            new DeviceWrite(bRenamed, UpdateEntry(bRenamed, "name")),
        ]).AsTask());

        Assert.Equal(a, await Store.GetAsync(a.Id));
        Assert.Equal(b, await Store.GetAsync(b.Id));
        Assert.Equal([aEntry], await Store.GetHistoryAsync(a.Id));
    }

    /// <summary>The contract: <c>UpdateManyAsync</c>, two writes for one device: is refused and nothing is written.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task UpdateManyAsync_TwoWritesForOneDevice_IsRefusedAndNothingIsWritten()
    {
        var (a, aEntry) = NewStored("A");
        await Store.AddAsync(a, aEntry);
        var first = a with { Site = "LFCE", Version = 2 };
        var second = a with { Site = "HMCE", Version = 2 };

        await Assert.ThrowsAsync<ArgumentException>(() => Store.UpdateManyAsync([
            new DeviceWrite(first, UpdateEntry(first, "site")),
            new DeviceWrite(second, UpdateEntry(second, "site")),
        ]).AsTask());

        Assert.Equal(a, await Store.GetAsync(a.Id));
    }

    /// <summary>The contract: <c>UpdateAsync</c>, same base version in parallel: exactly one wins.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact(Timeout = 120_000)]
    public async Task UpdateAsync_SameBaseVersionInParallel_ExactlyOneWins()
    {
        var (device, entry) = NewStored("A");
        await Store.AddAsync(device, entry);
        const int writers = 8;
        var barrier = new AsyncBarrier(writers);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, writers).Select(async i =>
        {
            var next = device with { Metadata = device.Metadata.With("writer", (long)i), Version = 2 };
            await barrier.SignalAndWaitAsync();
            try
            {
                await Store.UpdateAsync(next, UpdateEntry(next, "metadata.writer"));
                return i;
            }
            catch (DeviceConcurrencyException)
            {
                return -1;
            }
        }));

        var winner = Assert.Single(outcomes, o => o >= 0);
        var stored = await Store.GetAsync(device.Id);
        Assert.Equal(2, stored!.Version);
        Assert.Equal(winner, stored.Metadata["writer"].GetInt64());
        Assert.Equal(2, (await Store.GetHistoryAsync(device.Id)).Count);
    }

    /// <summary>The contract: <c>AddAsync</c>, same name in parallel: exactly one is stored.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact(Timeout = 120_000)]
    public async Task AddAsync_SameNameInParallel_ExactlyOneIsStored()
    {
        const int writers = 8;
        var barrier = new AsyncBarrier(writers);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            var (device, entry) = NewStored("WLCE-BESS-01");
            await barrier.SignalAndWaitAsync();
            try
            {
                await Store.AddAsync(device, entry);
                return device.Id;
            }
            catch (AlreadyExistsException ex) when (ex.Field == "name")
            {
                return Guid.Empty;
            }
        }));

        var winner = Assert.Single(outcomes, id => id != Guid.Empty);
        Assert.Equal(winner, (await Store.GetByNameAsync("WLCE-BESS-01"))!.Id);
        Assert.Single(await Store.ListAsync(DeviceFilter.All));
    }

    /// <summary>The contract: <c>AddAsync</c>, awkward json values: read back equal.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task AddAsync_AwkwardJsonValues_ReadBackEqual()
    {
        var metadata = DeviceMetadata.Parse("""
            {"big": 9007199254740993, "tenth": 0.1, "exp": 1E+2, "tiny": 5e-324, "empty": {}, "list": [null, [], {"k": [1.5]}],
             "ключ": "значение", "emoji": "😀", "quote": "a\"b\\c", "z": 1, "a": 2, "nothing": null, "t": true}
            """);
        var (device, entry) = NewStored("A", metadata);

        await Store.AddAsync(device, entry);

        var stored = (await Store.GetAsync(device.Id))!;
        Assert.Equal(metadata, stored.Metadata);
        Assert.Equal("😀", stored.Metadata.GetString("emoji"));
        Assert.Equal(9007199254740993, stored.Metadata["big"].GetInt64());
    }

    /// <summary>The contract: <c>ListAsync</c>, names beyond the basic plane: sort by code point.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task ListAsync_NamesBeyondTheBasicPlane_SortByCodePoint()
    {
        string[] names = ["～-tilde", "😀-emoji", "A", "z", "é"];
        foreach (var name in names)
        {
            var (device, entry) = NewStored(name);
            await Store.AddAsync(device, entry);
        }

        // U+1F600 sorts after U+FF5E by code point (and in UTF-8 bytes), although its UTF-16 surrogates sort before.
        Assert.Equal(["A", "z", "é", "～-tilde", "😀-emoji"], (await Store.ListAsync(DeviceFilter.All)).Select(d => d.Name));
    }

    // ---- Filters: every store follows DeviceFilter.Matches ----------------------------------------------

    /// <summary>Gets the filter cases: a filter in the <c>flux list</c> syntax and the names it matches, in order.</summary>
    public static TheoryData<string, string[]> FilterCases => new()
    {
        { "", ["HMCE-BESS-01", "HMCE-METER-_x", "LFCE-Ünïcødé", "WLCE-BESS-%", "WLCE-BESS-01", "WLCE-BESS-02", "WLCE-GRID-METER", "back\\slash"] },
        { "type=bess,site=WLCE", ["WLCE-BESS-%", "WLCE-BESS-01", "WLCE-BESS-02"] },
        { "type=meter", ["HMCE-METER-_x", "WLCE-GRID-METER"] },
        { "site=WLCE|HMCE,type=bess", ["HMCE-BESS-01", "WLCE-BESS-%", "WLCE-BESS-01", "WLCE-BESS-02"] },
        { "name=WLCE-*", ["WLCE-BESS-%", "WLCE-BESS-01", "WLCE-BESS-02", "WLCE-GRID-METER"] },
        { "name=*BESS*", ["HMCE-BESS-01", "WLCE-BESS-%", "WLCE-BESS-01", "WLCE-BESS-02"] },
        { "name=WLCE-BESS-%", ["WLCE-BESS-%"] },
        { "name=WLCE-BESS-_1", [] },
        { "name=HMCE-METER-_x", ["HMCE-METER-_x"] },
        { "name=*_*", ["HMCE-METER-_x"] },
        { "name=*%", ["WLCE-BESS-%"] },
        { "name=\"back\\\\slash\"", ["back\\slash"] },
        { "name=back*", ["back\\slash"] },
        { "name=wlce-bess-01", [] },
        { "state=maintenance", ["WLCE-BESS-02"] },
        { "state=registered|decommissioned", ["HMCE-BESS-01", "HMCE-METER-_x", "LFCE-Ünïcødé", "WLCE-BESS-%", "WLCE-BESS-01", "WLCE-GRID-METER", "back\\slash"] },
        { "state=decommissioned", ["HMCE-BESS-01"] },
        { "active=false", ["HMCE-BESS-01", "WLCE-BESS-02"] },
        { "active=true,type=meter", ["HMCE-METER-_x", "WLCE-GRID-METER"] },
        { "metadata.capacity_kwh=500", ["HMCE-BESS-01", "LFCE-Ünïcødé", "WLCE-BESS-%", "WLCE-BESS-01", "back\\slash"] },
        { "metadata.capacity_kwh=250", ["WLCE-BESS-02"] },
        { "metadata.capacity_kwh=250.000", ["WLCE-BESS-02"] },
        { "metadata.capacity_kwh=2.5e2", ["WLCE-BESS-02"] },
        { "metadata.modbus_address=3|7", ["WLCE-BESS-02", "back\\slash"] },
        { "metadata.manufacturer=PowerPack,site=HMCE", ["HMCE-BESS-01"] },
        { "metadata.tag=a%b", ["WLCE-BESS-01"] },
        { "metadata.tag=a_b", [] },
        { "metadata.tag=a*", [] },
        { "metadata.note='; DROP TABLE mg_device_registry; --", ["LFCE-Ünïcødé"] },
        { "metadata.note=\"a' || 'b\"", [] },
        { "metadata.flag=true", ["WLCE-BESS-%"] },
        { "metadata.flag=false", ["back\\slash"] },
        { "metadata.maintenance.reason=Firmware upgrade", ["WLCE-BESS-02"] },
        { "metadata.maintenance=x", [] },
        { "metadata.missing=x", [] },
        { "metadata.nothing=null", [] },
        { "site=Ünïcødé", [] },
        { "site=LFCE,metadata.label=Ünïcødé ✓", ["LFCE-Ünïcødé"] },
        { "site=%", [] },
        { "site=_", [] },
        { "site=\\", [] },
    };

    /// <summary>The contract: <c>ListAsync</c>, filter: returns the matching devices ordered by name.</summary>
    /// <param name="filterText">The filter.</param>
    /// <param name="expectedNames">The names of the devices it matches, in order.</param>
    /// <returns>A task that completes when the test has run.</returns>
    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task ListAsync_Filter_ReturnsTheMatchingDevicesOrderedByName(string filterText, string[] expectedNames)
    {
        var fleet = await RegisterFilterFleetAsync();
        var filter = DeviceFilter.Parse(filterText);

        var names = (await Store.ListAsync(filter)).Select(d => d.Name).ToArray();

        Assert.Equal(expectedNames, names);
        Assert.Equal(fleet.Where(filter.Matches).Select(d => d.Name).Order(StringComparer.Ordinal), names);
        Assert.Equal(8, (await Store.ListAsync(DeviceFilter.All)).Count);
    }

    // ---- The registry on top of the store ----------------------------------------------------------------

    /// <summary>The contract: <c>RegisterAsync</c>, spec examples: read back with their typed metadata.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task RegisterAsync_SpecExamples_ReadBackWithTheirTypedMetadata()
    {
        var bess = await Registry.RegisterAsync(ContractSamples.Bess());
        var meter = await Registry.RegisterAsync(ContractSamples.Meter());

        var storedBess = await Store.GetAsync(ContractSamples.BessId);
        var storedMeter = await Store.GetByNameAsync("WLCE-GRID-METER");

        Assert.Equal(bess, storedBess);
        Assert.Equal(meter, storedMeter);
        Assert.Equal(
            new BessMetadata { Manufacturer = "PowerPack", Model = "PP-500", CapacityKwh = 500, MaxPowerKw = 100, Efficiency = 0.92, ModbusAddress = 1, FirmwareVersion = "2.1.3" },
            BessMetadata.From(storedBess!.Metadata));
        Assert.Equal(
            new MeterMetadata { Manufacturer = "Accuenergy", Model = "Acuvim-II", MeterType = MeterType.Grid, Phases = 3, CtRatio = 100, VtRatio = 1, ModbusAddress = 2, RegisterMap = "acuvim2_standard" },
            MeterMetadata.From(storedMeter!.Metadata));
        Assert.Equal([DeviceState.Registered, DeviceState.Registered], new[] { storedBess.State, storedMeter.State });
    }

    /// <summary>The contract: <c>UpdateAsync</c>, sixteen writers retrying on conflict: all updates applied.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact(Timeout = 300_000)]
    public async Task UpdateAsync_SixteenWritersRetryingOnConflict_AllUpdatesApplied()
    {
        const int writers = 16;
        const int updatesPerWriter = 200;
        var device = await Registry.RegisterAsync(ContractSamples.Bess() with { Metadata = DeviceMetadata.Parse(ContractSamples.BessMetadataJson).With("counter", 0L) });

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < updatesPerWriter; i++)
            {
                for (var attempt = 1; ; attempt++)
                {
                    Assert.True(attempt <= 10_000, "a writer kept losing the race: the store never lets it win");
                    var current = (await Registry.GetAsync(device.Id))!;
                    var counter = current.Metadata["counter"].GetInt64();
                    try
                    {
                        await Registry.UpdateAsync(device.Id, current.Version, new DeviceUpdate { Metadata = current.Metadata.With("counter", counter + 1) });
                        break;
                    }
                    catch (DeviceConcurrencyException)
                    {
                        // Someone else got in between: read again and re-apply.
                    }
                }
            }
        })));

        var final = (await Registry.GetAsync(device.Id))!;
        Assert.Equal(writers * updatesPerWriter, final.Metadata["counter"].GetInt64());
        Assert.Equal(1 + (writers * updatesPerWriter), final.Version);
        var history = await Registry.GetHistoryAsync(device.Id);
        Assert.Equal(Enumerable.Range(1, 1 + (writers * updatesPerWriter)).Select(v => (long)v), history.Select(h => h.Version));
    }

    /// <summary>The contract: <c>UpdateAsync</c>, writers without retry: every conflict surfaces and no update is lost.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact(Timeout = 300_000)]
    public async Task UpdateAsync_WritersWithoutRetry_EveryConflictSurfacesAndNoUpdateIsLost()
    {
        const int writers = 16;
        const int rounds = 20;
        var device = await Registry.RegisterAsync(ContractSamples.Bess() with { Metadata = DeviceMetadata.Parse(ContractSamples.BessMetadataJson).With("counter", 0L) });
        var barrier = new AsyncBarrier(writers);
        var successes = 0;
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var current = (await Registry.GetAsync(device.Id))!;
                await barrier.SignalAndWaitAsync(); // everyone has read the same version before anyone writes
                try
                {
                    await Registry.UpdateAsync(device.Id, current.Version, new DeviceUpdate { Metadata = current.Metadata.With("counter", current.Metadata["counter"].GetInt64() + 1) });
                    Interlocked.Increment(ref successes);
                }
                catch (DeviceConcurrencyException ex) when (ex.DeviceId == device.Id && ex.ExpectedVersion == current.Version)
                {
                    Interlocked.Increment(ref conflicts);
                }

                await barrier.SignalAndWaitAsync(); // the round is over before anyone reads again
            }
        })));

        var final = (await Registry.GetAsync(device.Id))!;
        Assert.Equal(rounds, successes);
        Assert.Equal(rounds * (writers - 1), conflicts);
        Assert.Equal(successes, final.Metadata["counter"].GetInt64());
        Assert.Equal(1 + successes, final.Version);
        Assert.Equal(1 + successes, (await Registry.GetHistoryAsync(device.Id)).Count);
    }

    /// <summary>The contract: <c>FireAsync</c>, concurrent conflicting triggers: exactly one wins.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact(Timeout = 120_000)]
    public async Task FireAsync_ConcurrentConflictingTriggers_ExactlyOneWins()
    {
        var device = await WalkToAsync(ContractSamples.Bess(), DeviceState.Testing);
        const int callers = 8;
        var barrier = new AsyncBarrier(callers);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var trigger = i % 2 == 0 ? DeviceTrigger.PollSucceeded : DeviceTrigger.PollFailed;
            await barrier.SignalAndWaitAsync();
            try
            {
                return (await Registry.FireAsync(device.Id, trigger)).State;
            }
            catch (InvalidLifecycleTransitionException ex) when (ex.State is DeviceState.Active or DeviceState.Failed)
            {
                return (DeviceState?)null;
            }
        })));

        var winner = Assert.Single(outcomes, o => o is not null);
        var history = await Registry.GetHistoryAsync(device.Id);
        Assert.Equal(winner, history[^1].ToState);
        Assert.Equal(DeviceState.Testing, history[^1].FromState);
        Assert.Equal(winner, (await Registry.GetAsync(device.Id))!.State);
        Assert.Equal(Enumerable.Range(1, history.Count).Select(v => (long)v), history.Select(h => h.Version));
    }

    /// <summary>The contract: <c>FireAsync</c>, spec lifecycle: records every transition in history.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task FireAsync_SpecLifecycle_RecordsEveryTransitionInHistory()
    {
        var device = await Registry.RegisterAsync(ContractSamples.Bess(), actor: "installer");
        Time.Advance(TimeSpan.FromMinutes(1));
        await Registry.FireAsync(device.Id, DeviceTrigger.DeployConfig, reason: "powerpack_bess.yaml", actor: "ops");
        await Registry.FireAsync(device.Id, DeviceTrigger.PollAttempted, actor: "poller");
        await Registry.FireAsync(device.Id, DeviceTrigger.PollSucceeded, actor: "poller");
        await Maintenance.EnterAsync(device.Id, "Firmware upgrade", TimeSpan.FromHours(2), actor: "ops");
        await Maintenance.ExitAsync(device.Id, actor: "ops");
        await Registry.FireAsync(device.Id, DeviceTrigger.PollSucceeded, actor: "poller");
        var final = await Registry.DecommissionAsync(device.Id, reason: "Replaced", actor: "ops");

        var history = await Store.GetHistoryAsync(device.Id);

        Assert.Equal(
            [
                (null, DeviceState.Registered, null),
                (DeviceState.Registered, DeviceState.Configured, DeviceTrigger.DeployConfig),
                (DeviceState.Configured, DeviceState.Testing, DeviceTrigger.PollAttempted),
                (DeviceState.Testing, DeviceState.Active, DeviceTrigger.PollSucceeded),
                (DeviceState.Active, DeviceState.Maintenance, DeviceTrigger.EnterMaintenance),
                (DeviceState.Maintenance, DeviceState.Testing, DeviceTrigger.ExitMaintenance),
                (DeviceState.Testing, DeviceState.Active, DeviceTrigger.PollSucceeded),
                (DeviceState.Active, DeviceState.Decommissioned, DeviceTrigger.Decommission),
            ],
            history.Select(h => ((DeviceState?)h.FromState, h.ToState, h.Trigger)));
        Assert.Equal(Enumerable.Range(1, 8).Select(v => (long)v), history.Select(h => h.Version));
        Assert.Equal(["installer", "ops", "poller", "poller", "ops", "ops", "poller", "ops"], history.Select(h => h.Actor));
        Assert.Equal("Firmware upgrade", history[4].Reason);
        Assert.Equal(["active", "state", "metadata.maintenance"], history[4].ChangedFields);
        Assert.Equal(Time.GetUtcNow(), history[^1].Timestamp);
        Assert.False(final.Active);
        Assert.Equal(final, await Store.GetAsync(device.Id));
    }

    /// <summary>The contract: <c>FireAsync</c>, illegal trigger: throws and leaves the store unchanged.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task FireAsync_IllegalTrigger_ThrowsAndLeavesTheStoreUnchanged()
    {
        var device = await Registry.RegisterAsync(ContractSamples.Bess());

        var error = await Assert.ThrowsAsync<InvalidLifecycleTransitionException>(() => Registry.FireAsync(device.Id, DeviceTrigger.PollSucceeded).AsTask());

        Assert.Equal(DeviceState.Registered, error.State);
        Assert.Equal(DeviceTrigger.PollSucceeded, error.Trigger);
        Assert.Equal(device, await Store.GetAsync(device.Id));
        Assert.Single(await Store.GetHistoryAsync(device.Id));
    }

    /// <summary>The contract: <c>EnterAsync</c>, maintenance: writes the spec block and stops polling.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact]
    public async Task EnterAsync_Maintenance_WritesTheSpecBlockAndStopsPolling()
    {
        var device = await WalkToAsync(ContractSamples.Bess(), DeviceState.Active);
        Time.SetUtcNow(new DateTimeOffset(2024, 1, 1, 10, 0, 0, TimeSpan.Zero));

        await Maintenance.EnterAsync(device.Id, "Firmware upgrade", TimeSpan.FromHours(2));

        var stored = (await Store.GetAsync(device.Id))!;
        Assert.False(stored.Active);
        Assert.False(stored.ShouldPoll);
        Assert.Equal(DeviceState.Maintenance, stored.State);
        Assert.Equal(
            DeviceMetadata.Parse("""{"started_at": "2024-01-01T10:00:00Z", "reason": "Firmware upgrade", "expected_duration": "2 hours"}"""),
            DeviceMetadata.FromElement(stored.Metadata[MaintenanceInfo.MetadataKey]));
        Assert.Equal(DeviceMetadata.Parse(ContractSamples.BessMetadataJson), stored.Metadata.Without(MaintenanceInfo.MetadataKey));
    }

    private async Task<List<Device>> RegisterFilterFleetAsync()
    {
        var bessJson = DeviceMetadata.Parse(ContractSamples.BessMetadataJson);
        await Registry.RegisterAsync(ContractSamples.Bess() with { Metadata = bessJson.With("tag", "a%b") });
        var second = await WalkToAsync(ContractSamples.Bess("WLCE-BESS-02", modbusAddress: 3) with { Metadata = bessJson.With("capacity_kwh", 250.0).With("modbus_address", 3L) }, DeviceState.Active);
        await Maintenance.EnterAsync(second.Id, "Firmware upgrade", TimeSpan.FromHours(2));
        await Registry.RegisterAsync(ContractSamples.Bess("WLCE-BESS-%") with { Metadata = bessJson.With("flag", true) });
        var hmce = await Registry.RegisterAsync(ContractSamples.Bess("HMCE-BESS-01", "HMCE"));
        await Registry.DecommissionAsync(hmce.Id);
        await Registry.RegisterAsync(ContractSamples.Meter());
        await Registry.RegisterAsync(ContractSamples.Meter("HMCE-METER-_x", "HMCE") with
        {
            Metadata = DeviceMetadata.Parse(ContractSamples.MeterMetadataJson).With("nothing", DeviceMetadata.Parse("""{"v": null}""")["v"]),
        });
        await Registry.RegisterAsync(ContractSamples.Bess("LFCE-Ünïcødé", "LFCE") with
        {
            Metadata = bessJson.With("note", "'; DROP TABLE mg_device_registry; --").With("label", "Ünïcødé ✓"),
        });
        await Registry.RegisterAsync(ContractSamples.Bess("back\\slash", "LFCE", modbusAddress: 7) with { Metadata = bessJson.With("modbus_address", 7L).With("flag", false) });
        return [.. await Registry.ListAsync()];
    }
}
