namespace Flux.Devices.Postgres;

/// <summary>
/// The store's schema is older than this version of the library needs, and the role the store connects as may not
/// bring it up to date (it lacks <c>CREATE</c> on the database or the schema). Apply the migrations once as a role that
/// may (the schema's owner), with <see cref="Storage.IDeviceStoreSchema.MigrateAsync"/>; roles that only read and write rows
/// can then use the store.
/// </summary>
public sealed class DeviceStoreSchemaException : FluxDevicesException
{
    /// <summary>Initializes a new instance of the <see cref="DeviceStoreSchemaException"/> class.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="appliedVersion">The version the schema is at (0 when it does not exist).</param>
    /// <param name="requiredVersion">The version the library needs.</param>
    /// <param name="role">The role that could not migrate it.</param>
    /// <param name="innerException">The error PostgreSQL reported.</param>
    public DeviceStoreSchemaException(string schema, int appliedVersion, int requiredVersion, string role, Exception? innerException = null)
        : base(Describe(schema, appliedVersion, requiredVersion, role, innerException), innerException)
    {
        Schema = schema;
        AppliedVersion = appliedVersion;
        RequiredVersion = requiredVersion;
        Role = role;
    }

    /// <summary>Gets the schema.</summary>
    public string Schema { get; }

    /// <summary>Gets the version the schema is at; 0 when it does not exist yet.</summary>
    public int AppliedVersion { get; }

    /// <summary>Gets the version this library needs.</summary>
    public int RequiredVersion { get; }

    /// <summary>Gets the role that may not migrate the schema.</summary>
    public string Role { get; }

    private static string Describe(string schema, int applied, int required, string role, Exception? inner)
    {
        var state = applied == 0 ? $"The PostgreSQL schema \"{schema}\" does not exist yet" : $"The PostgreSQL schema \"{schema}\" is at version {applied} and this library needs version {required}";
        var why = inner is Npgsql.PostgresException postgres ? $" ({postgres.MessageText})" : string.Empty;
        return $"{state}, and role \"{role}\" may not create or change it{why}. Apply the migrations once as the schema's owner (IDeviceStoreSchema.MigrateAsync, or ApplySchemaOnStartup() on the builder); a role that only reads and writes rows can use it after that.";
    }
}
