using Flux.Devices.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Notifications;

/// <summary>Hands a notification to every registered notifier; one failing notifier does not silence the others.</summary>
internal sealed class NotificationDispatcher(IEnumerable<INotifier> notifiers, ILoggerFactory? loggerFactory = null)
{
    private readonly INotifier[] _notifiers = [.. notifiers];
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.NotificationsCategory);

    public async ValueTask SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        foreach (var notifier in _notifiers)
        {
            try
            {
                await notifier.SendAsync(notification, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A notifier's failure is logged; the change it reports is already committed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.NotifierFailed(_logger, ex, notifier.GetType().Name, notification.Kind, notification.DeviceName);
            }
        }
    }
}
