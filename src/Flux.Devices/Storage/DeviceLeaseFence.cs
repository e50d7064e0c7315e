namespace Flux.Devices.Storage;

/// <summary>
/// The fencing tokens the writes of the current asynchronous flow are made under: a store that keeps leases
/// (<see cref="IDeviceLeaseStore"/>) refuses, with <see cref="LeaseLostException"/>, a write for a device of the fence
/// whose token is no longer the device's current one, in the write's own transaction, so that nothing of it is stored.
/// The health monitor writes its samples, telemetry and lifecycle moves under the tokens of the leases it polled under.
/// </summary>
/// <remarks>
/// The fence flows with the asynchronous call (<see cref="AsyncLocal{T}"/>), through the registry to the store, so that a
/// lifecycle move needs no new parameter. Writes for devices not in the fence are not fenced; stores without leases ignore it.
/// </remarks>
public static class DeviceLeaseFence
{
    private static readonly AsyncLocal<IReadOnlyDictionary<Guid, long>?> Tokens = new();

    /// <summary>Gets the tokens of the current flow, by device; <see langword="null"/> outside a fence.</summary>
    public static IReadOnlyDictionary<Guid, long>? Current => Tokens.Value;

    /// <summary>Writes under the given tokens until the returned scope is disposed (which restores the fence before it).</summary>
    /// <param name="tokens">The fencing token of each device written.</param>
    /// <returns>The scope.</returns>
    public static IDisposable Enter(IReadOnlyDictionary<Guid, long> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var previous = Tokens.Value;
        Tokens.Value = tokens;
        return new Scope(previous);
    }

    /// <summary>Writes one device's changes under its token until the returned scope is disposed.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="token">Its fencing token.</param>
    /// <returns>The scope.</returns>
    public static IDisposable Enter(Guid deviceId, long token) => Enter(new Dictionary<Guid, long>(1) { [deviceId] = token });

    /// <summary>The tokens of the fence for the given devices, for a store to check; empty outside a fence.</summary>
    /// <param name="deviceIds">The devices a write touches.</param>
    /// <returns>The fenced devices among them, each once, with their tokens.</returns>
    public static IReadOnlyList<DeviceLease> For(IEnumerable<Guid> deviceIds)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        if (Tokens.Value is not { Count: > 0 } tokens)
        {
            return [];
        }

        var seen = new HashSet<Guid>();
        var fenced = new List<DeviceLease>();
        foreach (var id in deviceIds)
        {
            if (seen.Add(id) && tokens.TryGetValue(id, out var token))
            {
                fenced.Add(new DeviceLease(id, token));
            }
        }

        return fenced;
    }

    private sealed class Scope(IReadOnlyDictionary<Guid, long>? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Tokens.Value = previous;
            }
        }
    }
}
