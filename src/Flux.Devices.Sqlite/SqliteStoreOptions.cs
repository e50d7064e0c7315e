using System.ComponentModel.DataAnnotations;

namespace Flux.Devices.Sqlite;

/// <summary>Options of the SQLite store (<c>UseSqlite</c>): how long it waits for other writers, and how often it tries again.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// Gets or sets how long one statement waits for another connection's lock (another writer on the file, in this
    /// process or another) before SQLite reports the file busy. Counted in whole seconds (rounded up).
    /// </summary>
    /// <value>The default value is 30 seconds. It must be from 1 second to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many times an operation that found the file busy or locked past <see cref="BusyTimeout"/> is tried
    /// again from the start (nothing of it having been written); after the last, it fails with
    /// <see cref="Storage.DeviceStoreUnavailableException"/>.
    /// </summary>
    /// <value>The default value is 2. It must be from 0 to 10.</value>
    [Range(0, 10)]
    public int TransientRetries { get; set; } = 2;

    /// <summary>Gets or sets the wait before the first retry; it doubles for each further retry.</summary>
    /// <value>The default value is 100 milliseconds. It must be from 0 to 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
