using Flux.Devices.Storage;

namespace Flux.Devices.Health.Internal;

/// <summary>
/// The fence of one batch of the monitor's writers: each item carries the lease token its device was polled under
/// (none without leases); the batch is written under a <see cref="DeviceLeaseFence"/> of those tokens.
/// </summary>
internal static class LeaseFencing
{
    /// <summary>
    /// Enters the fence of a batch, or returns <see langword="null"/> when no item carries a token. Items of a device polled
    /// under an older token than another item of the batch are stale (their lease was lost and claimed again) and are
    /// removed first, returned in <paramref name="stale"/>.
    /// </summary>
    public static IDisposable? Enter<T>(List<(T Item, Guid DeviceId, long? Token)> batch, out List<DeviceLease> stale)
    {
        stale = [];
        Dictionary<Guid, long>? tokens = null;
        foreach (var (_, deviceId, token) in batch)
        {
            if (token is { } t)
            {
                tokens ??= [];
                tokens[deviceId] = tokens.TryGetValue(deviceId, out var other) ? Math.Max(other, t) : t;
            }
        }

        if (tokens is null)
        {
            return null;
        }

        var old = new List<DeviceLease>();
        batch.RemoveAll(entry =>
        {
            if (entry.Token is { } t && t < tokens[entry.DeviceId])
            {
                old.Add(new DeviceLease(entry.DeviceId, t));
                return true;
            }

            return false;
        });
        stale = old;
        return DeviceLeaseFence.Enter(tokens);
    }

    /// <summary>The leases of the batch's items of the refused devices (each once).</summary>
    public static List<DeviceLease> Refused<T>(List<(T Item, Guid DeviceId, long? Token)> batch, IReadOnlyList<Guid> deviceIds)
    {
        var refused = new HashSet<Guid>(deviceIds);
        return [.. batch.Where(e => e.Token is not null && refused.Contains(e.DeviceId)).Select(e => new DeviceLease(e.DeviceId, e.Token!.Value)).Distinct()];
    }
}
