using Flux.Devices.Storage;
using Microsoft.Data.Sqlite;

namespace Flux.Devices.Sqlite.Internal;

/// <summary>
/// The one place that says which SQLite errors are worth another try and turns every SQLite error the store does not
/// translate itself (constraint violations it knows) into <see cref="DeviceStoreUnavailableException"/>, so that no
/// <see cref="SqliteException"/> leaves the store.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Primary result code</term><description>What the store does</description></listheader>
/// <item><term>SQLITE_BUSY (5), SQLITE_LOCKED (6)</term><description>
/// Another connection holds the lock past the busy timeout. Nothing of the transaction was written (SQLite rolls it
/// back, even when the commit was refused), so the whole operation is tried again; after the last retry, unavailable
/// and transient.</description></item>
/// <item><term>SQLITE_PROTOCOL (15)</term><description>A lock race on the write-ahead log; retried the same way.</description></item>
/// <item><term>SQLITE_IOERR (10), SQLITE_FULL (13), SQLITE_CANTOPEN (14), SQLITE_NOMEM (7)</term><description>
/// The disk, the file system or the machine: unavailable and transient (trying later, after space is freed or the disk
/// is back, may succeed), but not retried at once, because a retry within milliseconds rarely helps and an I/O error
/// while committing leaves the outcome unknown.</description></item>
/// <item><term>anything else</term><description>
/// The file cannot serve the store as it is (SQLITE_READONLY, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_PERM, a constraint
/// or schema the store did not expect): unavailable and not transient.</description></item>
/// </list>
/// </remarks>
internal static class SqliteErrors
{
    private const int Busy = 5;
    private const int Locked = 6;
    private const int NoMemory = 7;
    private const int IOError = 10;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int Protocol = 15;

    /// <summary>Tells whether trying the whole operation again soon may succeed, nothing having been written.</summary>
    public static bool IsRetried(SqliteException exception) => exception.SqliteErrorCode is Busy or Locked or Protocol;

    /// <summary>Tells whether trying later may succeed.</summary>
    public static bool IsTransient(SqliteException exception) =>
        IsRetried(exception) || exception.SqliteErrorCode is IOError or Full or CantOpen or NoMemory;

    /// <summary>The store's exception for an error: the file named, the attempts counted, the outcome stated when unknown.</summary>
    public static DeviceStoreUnavailableException Translate(SqliteException exception, string path, int attempts, bool committing)
    {
        var what = OneLine(exception.Message);
        var message = IsRetried(exception)
            ? $"SQLite file {path} is busy (locked by another connection) after {attempts} attempt(s): {what}"
            : committing
                ? $"SQLite file {path} failed while committing; the write may or may not have been made: {what}"
                : $"SQLite file {path} could not be used: {what}";
        return new DeviceStoreUnavailableException(message, exception, IsTransient(exception));
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
