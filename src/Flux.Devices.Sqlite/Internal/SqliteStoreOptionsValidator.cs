using Microsoft.Extensions.Options;

namespace Flux.Devices.Sqlite.Internal;

/// <summary>Checks the attribute rules on <see cref="SqliteStoreOptions"/> (the body is generated).</summary>
[OptionsValidator]
internal sealed partial class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>;
