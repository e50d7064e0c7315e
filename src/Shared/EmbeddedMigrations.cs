using System.Globalization;
using System.Reflection;

namespace Flux.Devices.Storage.Internal;

/// <summary>A store's schema migrations, embedded as <c>Migrations/NNNN_name.sql</c> resources, in version order.</summary>
internal static class EmbeddedMigrations
{
    /// <summary>Reads the resources under <paramref name="prefix"/> (such as <c>Flux.Devices.Sqlite.Migrations.</c>).</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Load(Assembly assembly, string prefix)
    {
        var migrations = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = resource[prefix.Length..^".sql".Length];
            var separator = file.IndexOf('_', StringComparison.Ordinal);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add((int.Parse(file[..separator], CultureInfo.InvariantCulture), file[(separator + 1)..], reader.ReadToEnd()));
        }

        return migrations;
    }
}
