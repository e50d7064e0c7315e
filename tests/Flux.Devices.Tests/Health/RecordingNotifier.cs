using Flux.Devices.Notifications;

namespace Flux.Devices.Tests.Health;

/// <summary>Collects notifications (a real notifier: the seam needs no mock).</summary>
internal sealed class RecordingNotifier : INotifier
{
    private readonly List<Notification> _sent = [];

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

    public ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        lock (_sent)
        {
            _sent.Add(notification);
        }

        return ValueTask.CompletedTask;
    }
}
