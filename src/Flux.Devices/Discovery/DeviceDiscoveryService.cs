using System.Globalization;
using System.Runtime.CompilerServices;
using Flux.Devices.Internal;
using Flux.Devices.Transport;

namespace Flux.Devices.Discovery;

/// <summary>Auto-registration on top of the scanner and the registry (see <see cref="IDeviceDiscoveryService"/>).</summary>
internal sealed class DeviceDiscoveryService(Func<IDeviceScanner> scanner, IDeviceRegistry registry, TimeProvider time) : IDeviceDiscoveryService
{
    private const int MaxNameAttempts = 100;

    public async IAsyncEnumerable<DiscoveryResult> DiscoverAsync(
        DeviceScanOptions scan,
        AutoRegistrationOptions registration,
        IProgress<ScanProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(registration);
        if (registration.SkipRegisteredEndpoints)
        {
            var endpoints = new HashSet<ModbusEndpoint>(scan.ExcludeEndpoints);
            foreach (var device in await registry.ListAsync(null, cancellationToken).ConfigureAwait(false))
            {
                if (device.State != DeviceState.Decommissioned && DeviceAddressing.TryRead(device.Metadata, out var endpoint, out _, out _))
                {
                    endpoints.Add(endpoint);
                }
            }

            scan = scan with { ExcludeEndpoints = endpoints };
        }

        await foreach (var found in scanner().ScanAsync(scan, progress, cancellationToken).ConfigureAwait(false))
        {
            yield return await RegisterAsync(found, registration, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<DiscoveryResult> RegisterAsync(DiscoveredDevice device, AutoRegistrationOptions registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(registration);
        var type = device.Identity?.DeviceType ?? registration.UnknownDeviceType;
        if (type is null)
        {
            return new DiscoveryResult(device, DiscoveryOutcome.Unknown);
        }

        if (await FindAtAsync(device, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return new DiscoveryResult(device, DiscoveryOutcome.AlreadyRegistered) { Device = known, Name = known.Name };
        }

        if (await FindMovedAsync(device, type, cancellationToken).ConfigureAwait(false) is { } moved)
        {
            return registration.Register
                ? await MoveAsync(moved, device, registration, cancellationToken).ConfigureAwait(false)
                : new DiscoveryResult(device, DiscoveryOutcome.Moved) { Device = moved, Name = moved.Name };
        }

        var metadata = Metadata(device, type, registration);
        for (var attempt = 0; attempt < MaxNameAttempts; attempt++)
        {
            var name = Name(registration.Site, type, device, attempt);
            if (await registry.GetByNameAsync(name, cancellationToken).ConfigureAwait(false) is { } holder)
            {
                if (IsAt(holder, device))
                {
                    return new DiscoveryResult(device, DiscoveryOutcome.AlreadyRegistered) { Device = holder, Name = name }; // registered meanwhile
                }

                continue;
            }

            var registering = new NewDevice { Name = name, Type = type, Site = registration.Site, Metadata = metadata };
            if (!registration.Register)
            {
                return new DiscoveryResult(device, DiscoveryOutcome.WouldRegister) { Name = name };
            }

            try
            {
                var registered = await registry.RegisterAsync(registering, registration.Actor, cancellationToken).ConfigureAwait(false);
                return new DiscoveryResult(device, DiscoveryOutcome.Registered) { Device = registered, Name = name };
            }
            catch (AlreadyExistsException)
            {
                // Taken meanwhile: by this very device (another scanner registered it), or by another (try the next name).
                if (await FindAtAsync(device, cancellationToken).ConfigureAwait(false) is { } raced)
                {
                    return new DiscoveryResult(device, DiscoveryOutcome.AlreadyRegistered) { Device = raced, Name = raced.Name };
                }
            }
            catch (DeviceValidationException ex)
            {
                return new DiscoveryResult(device, DiscoveryOutcome.Invalid) { Name = name, Errors = ex.Errors };
            }
        }

        throw new InvalidOperationException($"No free name for {device} after {MaxNameAttempts} attempts.");
    }

    /// <summary>The registered device at the same host, port and unit id, if any (decommissioned ones do not count).</summary>
    private async ValueTask<Device?> FindAtAsync(DiscoveredDevice found, CancellationToken cancellationToken)
    {
        var filter = new DeviceFilter { Metadata = [new MetadataCondition([DeviceAddressing.IpAddressKey], [found.Endpoint.Host])] };
        var devices = await registry.ListAsync(filter, cancellationToken).ConfigureAwait(false);
        return devices.FirstOrDefault(d => IsAt(d, found));
    }

    /// <summary>Tells whether a registered device (not decommissioned) is at the host, port and unit id a device was found at.</summary>
    private static bool IsAt(Device device, DiscoveredDevice found) =>
        device.State != DeviceState.Decommissioned
        && DeviceAddressing.TryRead(device.Metadata, out var endpoint, out var unitId, out _)
        && endpoint == found.Endpoint
        && unitId == found.UnitId;

    /// <summary>
    /// The one registered device of the same type and serial number at another address: the same device, moved. A serial
    /// number that is a placeholder, or that more than one device carries, identifies nothing.
    /// </summary>
    private async ValueTask<Device?> FindMovedAsync(DiscoveredDevice found, string type, CancellationToken cancellationToken)
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
        var matches = (await registry.ListAsync(filter, cancellationToken).ConfigureAwait(false))
            .Where(d => d.State != DeviceState.Decommissioned)
            .Take(2)
            .ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>Points a moved device at its new address, reading it again when it changed meanwhile.</summary>
    private async ValueTask<DiscoveryResult> MoveAsync(Device moved, DiscoveredDevice found, AutoRegistrationOptions registration, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var update = new DeviceUpdate { Metadata = Address(moved.Metadata, found) };
                var updated = await registry.UpdateAsync(moved.Id, moved.Version, update, registration.Actor, cancellationToken).ConfigureAwait(false);
                return new DiscoveryResult(found, DiscoveryOutcome.Moved) { Device = updated, Name = updated.Name };
            }
            catch (DeviceConcurrencyException) when (attempt < 3)
            {
                moved = await registry.GetAsync(moved.Id, cancellationToken).ConfigureAwait(false) ?? throw new DeviceNotFoundException(moved.Id);
                if (IsAt(moved, found))
                {
                    return new DiscoveryResult(found, DiscoveryOutcome.AlreadyRegistered) { Device = moved, Name = moved.Name };
                }
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
            metadata = metadata.With("ignores_unit_id", true);
        }

        return Address(metadata, found).With("discovered_at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
    }

    private static DeviceMetadata Address(DeviceMetadata metadata, DiscoveredDevice found) => metadata
        .With(DeviceAddressing.IpAddressKey, found.Endpoint.Host)
        .With(DeviceAddressing.PortKey, (long)found.Endpoint.Port)
        .With(DeviceAddressing.UnitIdKey, (long)found.UnitId);

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
