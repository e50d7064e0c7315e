using System.Diagnostics;
using Flux.Devices.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Flux.Devices.Storage.Internal;

/// <summary>
/// A store package's traces and retry logs: its own <see cref="ActivitySource"/> named
/// <see cref="FluxDevicesDiagnostics.ActivitySourceName"/>, one client activity per write with OpenTelemetry's database
/// names (<c>db.system.name</c>, <c>db.operation.name</c>, <c>db.collection.name</c>, <c>error.type</c> and
/// <c>db.response.status_code</c> on failure), and the retry log in <see cref="FluxDevicesDiagnostics.StorageCategory"/>.
/// </summary>
internal static partial class StoreTelemetry
{
    /// <summary>The longest wait between two attempts.</summary>
    public static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(5);

    public static readonly ActivitySource Source = new(
        FluxDevicesDiagnostics.ActivitySourceName,
        typeof(StoreTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the activity of one write (<see langword="null"/> when nobody listens), named "{operation} {collection}".</summary>
    public static Activity? StartWrite(string system, string operation, string collection)
    {
        var activity = Source.StartActivity($"{operation} {collection}", ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("db.system.name", system);
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("db.collection.name", collection);
        }

        return activity;
    }

    /// <summary>Marks a write's activity as failed with the exception the caller gets, and the database's own code when there is one.</summary>
    public static void Fail(Activity? activity, Exception exception, string? statusCode)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
        if (statusCode is not null)
        {
            activity.SetTag("db.response.status_code", statusCode);
        }
    }

    /// <summary>
    /// The wait before retry <paramref name="attempt"/> + 1: doubling from <paramref name="first"/>, capped, with jitter, so
    /// that clients cut off together do not all come back at the same moment.
    /// </summary>
    public static TimeSpan Backoff(TimeSpan first, int attempt)
    {
        var wait = first * Math.Pow(2, attempt) * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return wait < MaxRetryWait ? wait : MaxRetryWait;
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning,
        Message = "{Store} {Operation} failed transiently (attempt {Attempt} of {Attempts}); trying again in {Delay}: {Error}")]
    public static partial void Retrying(ILogger logger, string store, string operation, int attempt, int attempts, TimeSpan delay, string error);
}
