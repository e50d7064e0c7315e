using Flux.Devices.Notifications;

namespace Flux.Devices.TestUtilities;

/// <summary>Collects notifications (a real notifier: the seam needs no mock), for the tests of every project.</summary>
public sealed class RecordingNotifier : INotifier
{
    private readonly List<Notification> _sent = [];

    /// <summary>Gets the notifications sent so far, in order.</summary>
    public IReadOnlyList<Notification> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    /// <inheritdoc />
    public ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        lock (_sent)
        {
            _sent.Add(notification);
        }

        return ValueTask.CompletedTask;
    }
}
