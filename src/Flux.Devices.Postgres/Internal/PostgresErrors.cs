using Npgsql;

namespace Flux.Devices.Postgres.Internal;

/// <summary>
/// The one place where PostgreSQL errors become the store's exceptions, the original kept as the inner exception; and
/// the one place that says which failures are worth another try.
/// </summary>
internal static class PostgresErrors
{
    /// <summary>Tells whether trying the whole operation again may succeed: a serialization failure, a deadlock, a lost or refused connection, a server shutting down.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    /// <summary>
    /// Describes a PostgreSQL or Npgsql error in one line: the SQL state and the server's message, without the detail
    /// lines Npgsql appends; for a client-side failure, its message and the cause under it ("Exception while reading
    /// from stream: Connection reset by peer").
    /// </summary>
    public static string Describe(Exception exception)
    {
        var text = exception switch
        {
            PostgresException postgres => $"{postgres.SqlState}: {postgres.MessageText}",
            NpgsqlException { InnerException: { } inner } npgsql when !string.IsNullOrWhiteSpace(inner.Message) => $"{npgsql.Message.TrimEnd('.')}: {Describe(inner)}",
            _ => exception.Message,
        };
        return OneLine(text);
    }

    /// <summary>Folds a text's lines into one, dropping blank ones.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Translates a constraint violation on a known constraint into the store's exception, which keeps the original as its
    /// inner exception; other errors are returned as they are.
    /// </summary>
    public static Exception Translate(Exception exception, Func<string, Exception, Exception?> byConstraint) =>
        exception is PostgresException { ConstraintName: { } constraint } && byConstraint(constraint, exception) is { } translated ? translated : exception;
}
