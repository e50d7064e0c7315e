using System.Globalization;
using System.Runtime.CompilerServices;
using Flux.Devices.Internal;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>Auto-registration on top of the scanner and the registry (see <see cref="IDeviceDiscoveryService"/>).</summary>
/// <remarks>
/// A dry run goes through the very same steps as a registration, on a <see cref="PreviewLedger"/> that checks each write
/// as the registry would (<see cref="DeviceRegistry.PrepareRegistrationAsync"/>) and keeps it in memory instead of
/// writing it, so that later devices of the same run see it: the preview names and refuses exactly as registering would.
/// </remarks>
internal sealed class DeviceDiscoveryService(Func<IDeviceScanner> scanner, IDeviceRegistry registry, DeviceRegistry checks, TimeProvider time) : IDeviceDiscoveryService
{
    private const int MaxNameAttempts = 100;
    private const string IgnoresUnitIdKey = "ignores_unit_id";

    public async IAsyncEnumerable<DiscoveryResult> DiscoverAsync(
        DeviceScanOptions scan,
        AutoRegistrationOptions registration,
        IProgress<ScanProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(registration);
        if (registration.SkipRegisteredUnits)
        {
            scan = await WithoutRegisteredAsync(scan, cancellationToken).ConfigureAwait(false);
        }

        var ledger = Ledger(registration);
        await foreach (var found in scanner().ScanAsync(scan, progress, cancellationToken).ConfigureAwait(false))
        {
            yield return await RegisterAsync(found, registration, ledger, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<DiscoveryResult> RegisterAsync(DiscoveredDevice device, AutoRegistrationOptions registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(registration);
        return RegisterAsync(device, registration, Ledger(registration), cancellationToken);
    }

    /// <summary>
    /// Leaves registered units out of a scan: their unit ids, or their whole endpoint for a device that answers every unit
    /// id (asking another unit id there would only find it again).
    /// </summary>
    private async ValueTask<DeviceScanOptions> WithoutRegisteredAsync(DeviceScanOptions scan, CancellationToken cancellationToken)
    {
        var endpoints = new HashSet<ModbusEndpoint>(scan.ExcludeEndpoints);
        var units = new HashSet<ModbusUnitAddress>(scan.ExcludeUnits);
        foreach (var device in await registry.ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (device.State != DeviceState.Decommissioned && DeviceAddressing.TryRead(device.Metadata, out var endpoint, out var unitId, out _))
            {
                if (IgnoresUnitId(device))
                {
                    endpoints.Add(endpoint);
                }
                else
                {
                    units.Add(new ModbusUnitAddress(endpoint, unitId));
                }
            }
        }

        return scan with { ExcludeEndpoints = endpoints, ExcludeUnits = units };
    }

    private IRegistrationLedger Ledger(AutoRegistrationOptions registration) =>
        registration.Register ? new LiveLedger(registry) : new PreviewLedger(registry, checks);

    private async ValueTask<DiscoveryResult> RegisterAsync(DiscoveredDevice device, AutoRegistrationOptions registration, IRegistrationLedger ledger, CancellationToken cancellationToken)
    {
        var type = device.Identity?.DeviceType ?? registration.UnknownDeviceType;
        if (type is null)
        {
            return new DiscoveryResult { Discovered = device, Outcome = DiscoveryOutcome.Unknown };
        }

        if (await FindAtAsync(ledger, device, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return new DiscoveryResult { Discovered = device, Outcome = DiscoveryOutcome.AlreadyRegistered, Device = ledger.AsStored(known), Name = known.Name };
        }

        if (await FindMovedAsync(ledger, device, type, cancellationToken).ConfigureAwait(false) is { } moved)
        {
            return await MoveAsync(ledger, moved, device, registration, cancellationToken).ConfigureAwait(false);
        }

        var metadata = Metadata(device, type, registration);
        for (var attempt = 0; attempt < MaxNameAttempts; attempt++)
        {
            var name = Name(registration.Site, type, device, attempt);
            if (await ledger.GetByNameAsync(name, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                if (IsAt(holder, device))
                {
                    return new DiscoveryResult { Discovered = device, Outcome = DiscoveryOutcome.AlreadyRegistered, Device = ledger.AsStored(holder), Name = name }; // registered meanwhile
                }

                continue;
            }

            var registering = new NewDevice { Name = name, Type = type, Site = registration.Site, Metadata = metadata };
            try
            {
                var registered = await ledger.RegisterAsync(registering, registration.Actor, cancellationToken).ConfigureAwait(false);
                return ledger.Writes
                    ? new DiscoveryResult { Discovered = device, Outcome = DiscoveryOutcome.Registered, Device = registered, Name = name }
                    : new DiscoveryResult { Discovered = device, Outcome = DiscoveryOutcome.WouldRegister, Name = name };
            }
            catch (AlreadyExistsException)
            {
                // Taken meanwhile: by this very device (another scanner registered it), or by another (try the next name).
                if (await FindAtAsync(ledger, device, cancellationToken).ConfigureAwait(false) is { } raced)
                {
                    return new DiscoveryResult { Discovered = device, Outcome = DiscoveryOutcome.AlreadyRegistered, Device = ledger.AsStored(raced), Name = raced.Name };
                }
            }
            catch (DeviceValidationException ex)
            {
                return new DiscoveryResult { Discovered = device, Outcome = DiscoveryOutcome.Invalid, Name = name, Errors = ex.Errors };
            }
        }

        throw new InvalidOperationException($"No free name for {device} after {MaxNameAttempts} attempts.");
    }

    /// <summary>The registered device at the same host, port and unit id, if any (decommissioned ones do not count).</summary>
    private static async ValueTask<Device?> FindAtAsync(IRegistrationLedger ledger, DiscoveredDevice found, CancellationToken cancellationToken)
    {
        var filter = new DeviceFilter { Metadata = [new MetadataCondition([DeviceAddressing.IpAddressKey], [found.Endpoint.Host])] };
        var devices = await ledger.ListAsync(filter, cancellationToken).ConfigureAwait(false);
        return devices.FirstOrDefault(d => IsAt(d, found));
    }

    /// <summary>
    /// Tells whether a registered device (not decommissioned) is at the host, port and unit id a device was found at; at
    /// any unit id of the endpoint when either answers every unit id (the same device, whatever unit id it was asked at).
    /// </summary>
    private static bool IsAt(Device device, DiscoveredDevice found) =>
        device.State != DeviceState.Decommissioned
        && DeviceAddressing.TryRead(device.Metadata, out var endpoint, out var unitId, out _)
        && endpoint == found.Endpoint
        && (unitId == found.UnitId || found.IgnoresUnitId || IgnoresUnitId(device));

    private static bool IgnoresUnitId(Device device) =>
        device.Metadata.TryGetValue(IgnoresUnitIdKey, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.True;

    /// <summary>
    /// The one registered device of the same type and serial number at another address: the same device, moved. A serial
    /// number that is a placeholder, or that more than one device carries, identifies nothing.
    /// </summary>
    private static async ValueTask<Device?> FindMovedAsync(IRegistrationLedger ledger, DiscoveredDevice found, string type, CancellationToken cancellationToken)
    {
        if (found.Identity?.SerialNumber is not { } serial || IsPlaceholder(serial))
        {
            return null;
        }

        var filter = new DeviceFilter
        {
            Types = [type],
            Metadata = [new MetadataCondition([SerialNumberKey], [serial])],
        };
        var matches = (await ledger.ListAsync(filter, cancellationToken).ConfigureAwait(false))
            .Where(d => d.State != DeviceState.Decommissioned)
            .Take(2)
            .ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>Points a moved device at its new address, reading it again when it changed meanwhile.</summary>
    /// <remarks>In a dry run the result holds the device as it is, not as it would be.</remarks>
    private static async ValueTask<DiscoveryResult> MoveAsync(IRegistrationLedger ledger, Device moved, DiscoveredDevice found, AutoRegistrationOptions registration, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var update = new DeviceUpdate { Metadata = Address(moved.Metadata, found) };
                var updated = await ledger.UpdateAsync(moved.Id, moved.Version, update, registration.Actor, cancellationToken).ConfigureAwait(false);
                return new DiscoveryResult { Discovered = found, Outcome = DiscoveryOutcome.Moved, Device = ledger.AsStored(updated), Name = updated.Name };
            }
            catch (DeviceConcurrencyException) when (attempt < 3)
            {
                moved = await ledger.GetAsync(moved.Id, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(moved.Id);
                if (IsAt(moved, found))
                {
                    return new DiscoveryResult { Discovered = found, Outcome = DiscoveryOutcome.AlreadyRegistered, Device = ledger.AsStored(moved), Name = moved.Name };
                }
            }
            catch (DeviceValidationException ex)
            {
                return new DiscoveryResult { Discovered = found, Outcome = DiscoveryOutcome.Invalid, Device = ledger.AsStored(moved), Name = moved.Name, Errors = ex.Errors };
            }
        }
    }

    private static bool IsPlaceholder(string serial)
    {
        var text = serial.Trim();
        return text.Length < 3
            || text.All(c => c is '0' or 'F' or 'f' or '-' or ' ')
            || text.Equals("N/A", StringComparison.OrdinalIgnoreCase)
            || text.Equals("unknown", StringComparison.OrdinalIgnoreCase)
            || text.Equals("none", StringComparison.OrdinalIgnoreCase);
    }

    private DeviceMetadata Metadata(DiscoveredDevice found, string type, AutoRegistrationOptions registration)
    {
        var metadata = registration.Defaults.GetValueOrDefault(type) ?? DeviceMetadata.Empty;
        if (found.Identity is { } identity)
        {
            metadata = metadata.Merge(identity.Details);
            metadata = With(metadata, "manufacturer", identity.Manufacturer);
            metadata = With(metadata, "model", identity.Model);
            metadata = With(metadata, SerialNumberKey, identity.SerialNumber);
            metadata = With(metadata, "firmware_version", identity.FirmwareVersion);
            metadata = metadata.With("discovered_by", identity.Probe);
        }

        if (found.IgnoresUnitId)
        {
            metadata = metadata.With(IgnoresUnitIdKey, true);
        }

        return Address(metadata, found).With("discovered_at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
    }

    private static DeviceMetadata Address(DeviceMetadata metadata, DiscoveredDevice found)
    {
        metadata = metadata
            .With(DeviceAddressing.IpAddressKey, found.Endpoint.Host)
            .With(DeviceAddressing.PortKey, (long)found.Endpoint.Port)
            .With(DeviceAddressing.UnitIdKey, (long)found.UnitId);
        metadata = DeviceAddressing.FramingText(found.Endpoint.Framing) is { } framing
            ? metadata.With(DeviceAddressing.FramingKey, framing)
            : metadata.Without(DeviceAddressing.FramingKey);
        return found.Endpoint.UseTls
            ? metadata.With(DeviceAddressing.TlsKey, true)
            : metadata.Without(DeviceAddressing.TlsKey);
    }

    private static DeviceMetadata With(DeviceMetadata metadata, string key, string? value) => value is null ? metadata : metadata.With(key, value);

    /// <summary>The spec's name first, then with the host (and a port other than 502), then numbered.</summary>
    private static string Name(string site, string type, DiscoveredDevice found, int attempt)
    {
        var prefix = $"{site}-{type.ToUpperInvariant()}";
        if (attempt == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{prefix}-{found.UnitId}");
        }

        var host = found.Endpoint.Port == ModbusEndpoint.DefaultPort
            ? found.Endpoint.Host
            : string.Create(CultureInfo.InvariantCulture, $"{found.Endpoint.Host}-{found.Endpoint.Port}");
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{host}-{found.UnitId}");
        return attempt == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}-{attempt}");
    }

    private const string SerialNumberKey = "serial_number";
}
