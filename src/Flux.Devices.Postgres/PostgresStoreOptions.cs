using System.ComponentModel.DataAnnotations;

namespace Flux.Devices.Postgres;

/// <summary>Options of the PostgreSQL store (<c>UsePostgres</c>).</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>Gets or sets the connection string, when the store makes its own data source.</summary>
    /// <remarks>Leave it unset to use an <c>NpgsqlDataSource</c> registered in the container.</remarks>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the schema the tables live in.</summary>
    /// <value>The default value is <c>flux</c>, as in the spec. Lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.</value>
    [RegularExpression(@"\A[a-z_][a-z0-9_]{0,62}\z")]
    public string Schema { get; set; } = "flux";

    /// <summary>Gets or sets how many times an operation that failed for a transient reason (serialization failure, deadlock, a lost connection) is tried again.</summary>
    /// <value>The default value is 3. It must be from 0 to 10.</value>
    [Range(0, 10)]
    public int TransientRetries { get; set; } = 3;

    /// <summary>Gets or sets the wait before the first retry; it doubles for each further retry.</summary>
    /// <value>The default value is 50 milliseconds. It must be from 0 to 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);
}
