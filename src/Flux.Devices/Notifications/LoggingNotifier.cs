using Flux.Devices.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flux.Devices.Notifications;

/// <summary>Writes every notification to the log, so that none is lost when a host has no notifier of its own.</summary>
internal sealed class LoggingNotifier(ILoggerFactory? loggerFactory = null) : INotifier
{
    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(FluxDevicesDiagnostics.NotificationsCategory);

    public ValueTask SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var level = notification.Severity switch
        {
            NotificationSeverity.Critical => LogLevel.Error,
            NotificationSeverity.Warning => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        Log.Notification(_logger, level, notification.Kind, notification.DeviceName, notification.DeviceId, notification.Message);
        return ValueTask.CompletedTask;
    }
}
